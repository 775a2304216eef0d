//! AWS managed keys (`alias/aws/SERVICE`): created as AWS creates them, with their default
//! key policy, usable only through their service.
