//! Where one environment's templates can run: the templates take the region from where they
//! are launched (`AWS::Region`), so a customer may run them in any region the residency allows,
//! unless the spec holds something that exists in one region only.
//!
//! Input: the validated model of one environment and a region the residency allows. Output:
//! `None` when the templates run there as they are, or why they cannot (the zones the spec
//! names, a database instance class RDS does not offer there). Pure; the caller refuses.

use crate::spec::Model;
use crate::spec::aws::table::Table;
use crate::spec::model::Zones;

/// Why `model`'s templates cannot run in `region`, or `None` when they can.
pub fn region_bound(model: &Model, region: &str) -> Option<String> {
    if region == model.region {
        return None;
    }
    let zones = model.network.vpc.as_ref().map(|v| &v.zones);
    if let Some(Zones::Named(zones)) = zones {
        return Some(format!(
            "they name the zones of `{}` (`network.zones: [{}]`)",
            model.region,
            zones.join(", ")
        ));
    }
    let db = model.database.as_ref()?;
    let class = db.instance_class.to_string();
    let offered = Table::get()
        .postgres
        .classes_in_region(region)
        .is_none_or(|classes| classes.contains(&class.as_str()));
    (!offered).then(|| format!("RDS does not offer `{class}` for PostgreSQL in `{region}`"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn model(extra: &str) -> Model {
        let text = format!(
            "product: {{name: shop, vendor_account_id: \"111111111111\"}}\n\
             access: {{vendor_role_arn: \"arn:aws:iam::111111111111:role/byoa-deploy\"}}\n\
             region: eu-west-1\nresidency: eu\n{extra}"
        );
        crate::spec::load_str(Path::new("byoa.yaml"), &text, None, &Default::default())
            .expect("the spec is valid")
            .model
    }

    #[test]
    fn templates_run_in_any_region_unless_the_spec_holds_one_regions_things() {
        let free = model("database: {instance_class: db.t4g.medium}\n");
        assert_eq!(region_bound(&free, "eu-central-1"), None);
        assert_eq!(region_bound(&free, "eu-west-1"), None);
        let zoned = model("network: {zones: [eu-west-1a, eu-west-1b]}\n");
        assert_eq!(region_bound(&zoned, "eu-west-1"), None);
        assert_eq!(
            region_bound(&zoned, "eu-central-1").as_deref(),
            Some("they name the zones of `eu-west-1` (`network.zones: [eu-west-1a, eu-west-1b]`)")
        );
        assert_eq!(region_bound(&model(""), "eu-central-1"), None);
    }

    #[test]
    fn a_class_missing_in_the_other_region_binds_the_templates() {
        let table = Table::get();
        let for_version = table.postgres.classes_for_version("16.15").unwrap();
        let here: Vec<&str> = table
            .postgres
            .classes_in_region("eu-west-1")
            .unwrap()
            .into_iter()
            .filter(|c| for_version.contains(c))
            .collect();
        // A class offered where the spec is and missing in another region of the same
        // residency, if the table has one: the templates are bound to the spec's region.
        let elsewhere = ["eu-central-1", "eu-north-1", "eu-south-1", "eu-west-3"];
        let found = here.iter().find_map(|c| {
            elsewhere.iter().find_map(|r| {
                let there = table.postgres.classes_in_region(r)?;
                (!there.contains(c)).then(|| (c.to_string(), *r))
            })
        });
        let Some((class, region)) = found else {
            panic!("the table has no class of eu-west-1 that another EU region lacks");
        };
        let m = model(&format!("database: {{instance_class: {class}}}\n"));
        assert_eq!(
            region_bound(&m, region),
            Some(format!(
                "RDS does not offer `{class}` for PostgreSQL in `{region}`"
            ))
        );
    }
}
