//! The key detail's region lines: the key's region when the keys are in more than one
//! region, and a multi-Region key's type, primary Region and replica Regions (as
//! DescribeKey's `MultiRegionConfiguration` gives them). A world of one region and no
//! multi-Region keys shows none (its ARNs already say the region).

use ratatui::text::Line;

use crate::backend::KeySummary;
use crate::kms::multi_region::MultiRegionKeyType;
use crate::tui::app::App;

/// The lines, drawn with the detail pane's `field`.
pub fn region_lines(
    app: &App,
    k: &KeySummary,
    field: fn(&str, String) -> Line<'static>,
) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    if app.several_regions || k.multi_region.is_some() {
        v.push(field("Region", k.region().to_string()));
    }
    if let Some(c) = &k.multi_region {
        let kind = match c.multi_region_key_type {
            MultiRegionKeyType::Primary => "PRIMARY key",
            MultiRegionKeyType::Replica => "REPLICA key",
        };
        v.push(field("MultiRegion", kind.to_string()));
        v.push(field("PrimaryRegion", c.primary_key.region.clone()));
        let replicas: Vec<&str> = c.replica_keys.iter().map(|r| r.region.as_str()).collect();
        v.push(field(
            "ReplicaRegions",
            if replicas.is_empty() {
                "-".to_string()
            } else {
                replicas.join(", ")
            },
        ));
    }
    v
}
