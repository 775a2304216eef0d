//! Custom key stores: CreateCustomKeyStore, ConnectCustomKeyStore,
//! DisconnectCustomKeyStore, UpdateCustomKeyStore, DeleteCustomKeyStore and
//! DescribeCustomKeyStores, for a world that has none.
//!
//! The simulator has no AWS CloudHSM clusters and reaches no external key store proxy,
//! so no custom key store can exist. Every operation on a store id is AWS's
//! CustomKeyStoreNotFoundException ("The request was rejected because AWS KMS cannot find
//! a custom key store with the specified key store name or ID."), and
//! DescribeCustomKeyStores lists nothing (NotFound when a store is named).
//!
//! Decision for CreateCustomKeyStore (AWS answers only after trying to reach the backing
//! store): an AWS CloudHSM key store is CloudHsmClusterNotFoundException, as AWS answers
//! for a cluster id it cannot find ("AWS KMS cannot find the AWS CloudHSM cluster with the
//! specified cluster ID"); an external key store with a public endpoint is
//! XksProxyUriUnreachableException ("KMS was unable to reach the specified XKS proxy"),
//! and one with VPC endpoint service connectivity
//! XksProxyVpcEndpointServiceNotFoundException. Members AWS requires for each type
//! (documented per type, optional in the model) are checked first, as ValidationException.
//! These operations are authorized by IAM alone (the resource is `*`: "Required
//! permissions: kms:CreateCustomKeyStore (IAM policy)" and likewise for the others).

use crate::kms::api::Empty;
use crate::kms::api_admin::*;
use crate::kms::{ApiOperation, ErrorCode, KmsError, KmsResult};

use super::keys_admin::key_auth;
use super::validate;
use super::{Caller, Simulator};

fn not_found() -> KmsError {
    KmsError::new(
        ErrorCode::CustomKeyStoreNotFoundException,
        "The request was rejected because AWS KMS cannot find a custom key store with the specified key store name or ID.",
    )
}

fn opt_len(field: &str, v: &Option<String>, min: usize, max: usize) -> KmsResult<()> {
    match v {
        Some(v) => validate::length(field, v, min, max),
        None => Ok(()),
    }
}

/// The service model's bounds of the members CreateCustomKeyStore and
/// UpdateCustomKeyStore share.
#[allow(clippy::too_many_arguments)]
fn check_store_members(
    cluster: &Option<String>,
    password: &Option<String>,
    endpoint: &Option<String>,
    path: &Option<String>,
    service_name: &Option<String>,
    service_owner: &Option<String>,
    credential: &Option<XksProxyAuthenticationCredential>,
) -> KmsResult<()> {
    opt_len("cloudHsmClusterId", cluster, 19, 24)?;
    opt_len("keyStorePassword", password, 7, 32)?;
    opt_len("xksProxyUriEndpoint", endpoint, 10, 128)?;
    opt_len("xksProxyUriPath", path, 10, 128)?;
    opt_len("xksProxyVpcEndpointServiceName", service_name, 20, 64)?;
    opt_len("xksProxyVpcEndpointServiceOwner", service_owner, 12, 12)?;
    if let Some(c) = credential {
        validate::length(
            "xksProxyAuthenticationCredential.accessKeyId",
            &c.access_key_id,
            20,
            30,
        )?;
        if !(43..=64).contains(&c.raw_secret_access_key.chars().count()) {
            return Err(KmsError::validation_hidden(
                "xksProxyAuthenticationCredential.rawSecretAccessKey",
                "Member must have length between 43 and 64",
            ));
        }
    }
    Ok(())
}

fn required(member: &str, v: bool, kind: &str) -> KmsResult<()> {
    if v {
        Ok(())
    } else {
        Err(KmsError::invalid(format!(
            "{member} is required for a custom key store of type {kind}."
        )))
    }
}

impl Simulator {
    pub fn create_custom_key_store(
        &mut self,
        caller: &Caller,
        req: CreateCustomKeyStoreRequest,
    ) -> KmsResult<CreateCustomKeyStoreResponse> {
        self.call(caller, ApiOperation::CreateCustomKeyStore, |world, rec| {
            validate::length("customKeyStoreName", &req.custom_key_store_name, 1, 256)?;
            opt_len("trustAnchorCertificate", &req.trust_anchor_certificate, 1, 5000)?;
            check_store_members(
                &req.cloud_hsm_cluster_id,
                &req.key_store_password,
                &req.xks_proxy_uri_endpoint,
                &req.xks_proxy_uri_path,
                &req.xks_proxy_vpc_endpoint_service_name,
                &req.xks_proxy_vpc_endpoint_service_owner,
                &req.xks_proxy_authentication_credential,
            )?;
            rec.authorize(world, &key_auth("kms:CreateCustomKeyStore", None))?;
            match req.custom_key_store_type.unwrap_or(CustomKeyStoreType::AwsCloudhsm) {
                CustomKeyStoreType::AwsCloudhsm => {
                    let kind = "AWS_CLOUDHSM";
                    required("CloudHsmClusterId", req.cloud_hsm_cluster_id.is_some(), kind)?;
                    required(
                        "TrustAnchorCertificate",
                        req.trust_anchor_certificate.is_some(),
                        kind,
                    )?;
                    required("KeyStorePassword", req.key_store_password.is_some(), kind)?;
                    Err(KmsError::new(
                        ErrorCode::CloudHsmClusterNotFoundException,
                        "The request was rejected because AWS KMS cannot find the AWS CloudHSM cluster with the specified cluster ID. Retry the request with a different cluster ID.",
                    ))
                }
                CustomKeyStoreType::ExternalKeyStore => {
                    let kind = "EXTERNAL_KEY_STORE";
                    required("XksProxyUriEndpoint", req.xks_proxy_uri_endpoint.is_some(), kind)?;
                    required("XksProxyUriPath", req.xks_proxy_uri_path.is_some(), kind)?;
                    required(
                        "XksProxyAuthenticationCredential",
                        req.xks_proxy_authentication_credential.is_some(),
                        kind,
                    )?;
                    required("XksProxyConnectivity", req.xks_proxy_connectivity.is_some(), kind)?;
                    match req.xks_proxy_connectivity {
                        Some(XksProxyConnectivity::VpcEndpointService) => Err(KmsError::new(
                            ErrorCode::XksProxyVpcEndpointServiceNotFoundException,
                            "The request was rejected because KMS could not find the specified VPC endpoint service. Use DescribeCustomKeyStores to verify the VPC endpoint service name for the external key store.",
                        )),
                        _ => Err(KmsError::new(
                            ErrorCode::XksProxyUriUnreachableException,
                            "KMS was unable to reach the specified XKS proxy. Some external key store proxies are not reachable from the public internet; verify the proxy's URI endpoint and that it is reachable.",
                        )),
                    }
                }
            }
        })
    }

    pub fn connect_custom_key_store(
        &mut self,
        caller: &Caller,
        req: CustomKeyStoreIdRequest,
    ) -> KmsResult<Empty> {
        self.store_op(
            caller,
            ApiOperation::ConnectCustomKeyStore,
            &req.custom_key_store_id,
        )
    }

    pub fn disconnect_custom_key_store(
        &mut self,
        caller: &Caller,
        req: CustomKeyStoreIdRequest,
    ) -> KmsResult<Empty> {
        self.store_op(
            caller,
            ApiOperation::DisconnectCustomKeyStore,
            &req.custom_key_store_id,
        )
    }

    pub fn delete_custom_key_store(
        &mut self,
        caller: &Caller,
        req: CustomKeyStoreIdRequest,
    ) -> KmsResult<Empty> {
        self.store_op(
            caller,
            ApiOperation::DeleteCustomKeyStore,
            &req.custom_key_store_id,
        )
    }

    pub fn update_custom_key_store(
        &mut self,
        caller: &Caller,
        req: UpdateCustomKeyStoreRequest,
    ) -> KmsResult<Empty> {
        self.call(caller, ApiOperation::UpdateCustomKeyStore, |world, rec| {
            validate::length("customKeyStoreId", &req.custom_key_store_id, 1, 64)?;
            opt_len(
                "newCustomKeyStoreName",
                &req.new_custom_key_store_name,
                1,
                256,
            )?;
            check_store_members(
                &req.cloud_hsm_cluster_id,
                &req.key_store_password,
                &req.xks_proxy_uri_endpoint,
                &req.xks_proxy_uri_path,
                &req.xks_proxy_vpc_endpoint_service_name,
                &req.xks_proxy_vpc_endpoint_service_owner,
                &req.xks_proxy_authentication_credential,
            )?;
            rec.authorize(world, &key_auth("kms:UpdateCustomKeyStore", None))?;
            Err(not_found())
        })
    }

    pub fn describe_custom_key_stores(
        &mut self,
        caller: &Caller,
        req: DescribeCustomKeyStoresRequest,
    ) -> KmsResult<DescribeCustomKeyStoresResponse> {
        self.call(
            caller,
            ApiOperation::DescribeCustomKeyStores,
            |world, rec| {
                opt_len("customKeyStoreId", &req.custom_key_store_id, 1, 64)?;
                opt_len("customKeyStoreName", &req.custom_key_store_name, 1, 256)?;
                validate::page_size(req.limit, 100, 1000)?;
                opt_len("marker", &req.marker, 1, 1024)?;
                rec.authorize(world, &key_auth("kms:DescribeCustomKeyStores", None))?;
                if req.custom_key_store_id.is_some() || req.custom_key_store_name.is_some() {
                    return Err(not_found());
                }
                if req.marker.is_some() {
                    return Err(KmsError::new(
                        ErrorCode::InvalidMarkerException,
                        "Invalid marker",
                    ));
                }
                Ok(DescribeCustomKeyStoresResponse {
                    custom_key_stores: vec![],
                    next_marker: None,
                    truncated: false,
                })
            },
        )
    }

    /// An operation on one store by id: validate, authorize on `*`, not found.
    fn store_op(&mut self, caller: &Caller, op: ApiOperation, id: &str) -> KmsResult<Empty> {
        let action = op.action();
        self.call(caller, op, |world, rec| {
            validate::length("customKeyStoreId", id, 1, 64)?;
            rec.authorize(world, &key_auth(&action, None))?;
            Err(not_found())
        })
    }
}
