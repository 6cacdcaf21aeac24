use std::path::Path;

use super::*;

const EXT_A: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const EXT_B: &str = "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";

fn customer(id: &str, external_id: &str) -> Customer {
    Customer {
        id: id.to_owned(),
        name: format!("{id} Inc."),
        account_id: "222222222222".to_owned(),
        region: "us-east-1".to_owned(),
        environment: "prod".to_owned(),
        external_id: external_id.to_owned(),
        parameters: IndexMap::new(),
        canary: false,
    }
}

fn codes(diags: &[Diagnostic]) -> Vec<&str> {
    diags.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn a_valid_file_loads_with_defaults() {
    let text = format!(
        "customers:\n  - id: acme-corp\n    name: Acme Corp\n    account_id: \"222222222222\"\n    region: eu-west-1\n    environment: prod\n    external_id: {EXT_A}\n    parameters: {{ImageTag: \"1.4\"}}\n"
    );
    let c = load_str(Path::new("customers.yaml"), &text).unwrap();
    assert_eq!(c.customers.len(), 1);
    let a = &c.customers[0];
    assert_eq!(a.parameters["ImageTag"], "1.4");
    assert!(!a.canary);
    assert_eq!(
        a.deployer_role_arn("acme", "prod"),
        "arn:aws:iam::222222222222:role/byoa/acme-prod-deployer"
    );
}

#[test]
fn schema_problems_point_at_the_line_with_the_customers_code() {
    let text = "customers:\n  - id: Acme\n    name: Acme\n    account_id: \"2222\"\n    region: us-east-1\n    environment: prod\n    external_id: short\n    colour: red\n";
    let diags = load_str(Path::new("customers.yaml"), text).unwrap_err();
    assert!(
        diags.iter().all(|d| d.code == Code::CustomersInvalid),
        "{diags:?}"
    );
    let lines: Vec<usize> = diags
        .iter()
        .map(|d| d.location.as_ref().unwrap().line)
        .collect();
    // id (2), account_id (4), external_id (7), colour (8).
    assert_eq!(lines, [2, 4, 7, 8], "{diags:#?}");
    assert!(
        diags[3]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean")
            || diags[3].message.contains("colour")
    );
}

#[test]
fn ids_and_external_ids_are_unique() {
    let file = File {
        customers: vec![
            customer("aa", EXT_A),
            customer("aa", EXT_B),
            customer("cc", EXT_A),
        ],
    };
    let text = serde_json::to_string(&file).unwrap();
    let diags = load_str(Path::new("customers.yaml"), &text).unwrap_err();
    assert_eq!(
        codes(&diags),
        ["customers.duplicate", "customers.duplicate"]
    );
    assert!(
        diags[0].message.contains("`aa` is used twice"),
        "{diags:#?}"
    );
    assert!(
        diags[1]
            .message
            .contains("`cc` has the external id of `aa`"),
        "{diags:#?}"
    );
}

#[test]
fn environments_and_regions_come_from_the_spec() {
    let mut eu = customer("eu", EXT_A);
    eu.region = "eu-west-1".to_owned();
    let mut typo = customer("typo", EXT_B);
    typo.environment = "prd".to_owned();
    let ok = customer("ok", "CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC");
    let text = serde_json::to_string(&File {
        customers: vec![eu, typo, ok],
    })
    .unwrap();
    let c = load_str(Path::new("customers.yaml"), &text).unwrap();
    let envs = [
        ("prod".to_owned(), Residency::Us),
        ("dev".to_owned(), Residency::Global),
    ];
    let diags = c.check_against(&envs).unwrap_err();
    assert_eq!(codes(&diags), ["customers.region", "customers.environment"]);
    assert!(
        diags[1].help.as_deref() == Some("did you mean `prod`?"),
        "{diags:#?}"
    );
    // The same customer in Europe is fine for a global environment.
    let envs = [
        ("prod".to_owned(), Residency::Global),
        ("prd".to_owned(), Residency::Global),
    ];
    assert!(c.check_against(&envs).is_ok());
}

#[test]
fn selection_keeps_file_order_and_names_unknown_ids() {
    let text = serde_json::to_string(&File {
        customers: vec![customer("aa", EXT_A), customer("bb", EXT_B)],
    })
    .unwrap();
    let c = load_str(Path::new("customers.yaml"), &text).unwrap();
    let picked = c.select(&["bb".into(), "aa".into()], false).unwrap();
    assert_eq!(
        picked.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["aa", "bb"]
    );
    assert_eq!(c.select(&[], true).unwrap().len(), 2);
    let diags = c.select(&["bbb".into()], false).unwrap_err();
    assert_eq!(codes(&diags), ["customers.unknown"]);
    assert_eq!(diags[0].help.as_deref(), Some("did you mean `bb`?"));
    let empty = load_str(Path::new("customers.yaml"), "").unwrap();
    assert_eq!(
        codes(&empty.select(&[], true).unwrap_err()),
        ["customers.unknown"]
    );
}

#[test]
fn appending_keeps_comments_and_refuses_what_it_cannot_append() {
    let path = Path::new("customers.yaml");
    let mut new = customer("new", EXT_B);
    new.name = "O'Brien & \"Sons\": #1".to_owned();
    new.parameters.insert("ImageTag".into(), "1.0".into());
    new.canary = true;

    let (text, loaded) = add::append(path, None, &new).unwrap();
    assert!(text.starts_with("# The customers"));
    assert_eq!(loaded.customers, [new.clone()]);

    let existing = format!(
        "# ours\ncustomers:\n  # first\n  - id: old\n    name: Old\n    account_id: \"222222222222\"\n    region: us-east-1\n    environment: prod\n    external_id: {EXT_A}\n"
    );
    let (text, loaded) = add::append(path, Some(&existing), &new).unwrap();
    assert!(
        text.starts_with(&existing),
        "the old text is kept as it was"
    );
    assert_eq!(loaded.customers.len(), 2);
    assert_eq!(loaded.customers[1], new);

    let diags = add::append(path, Some(&text), &new).unwrap_err();
    assert!(diags[0].message.contains("already"), "{diags:?}");

    // Flow style cannot take a block entry: refused, with the entry to paste.
    let flow = format!(
        "customers: [{{id: old, name: Old, account_id: \"222222222222\", region: us-east-1, environment: prod, external_id: {EXT_A}}}]\n"
    );
    let diags = add::append(path, Some(&flow), &new).unwrap_err();
    assert_eq!(codes(&diags), ["customers.append"]);
    assert!(diags[0].help.as_deref().unwrap().contains("external_id"));

    // A malformed value is the new customer's problem, not the file's.
    let mut bad = customer("bad", EXT_A);
    bad.account_id = "1234".to_owned();
    let diags = add::append(path, Some(&existing), &bad).unwrap_err();
    assert_eq!(codes(&diags), ["customers.invalid"]);
    assert!(
        diags[0]
            .message
            .starts_with("the new customer: `customers[0].account_id`"),
        "{diags:?}"
    );

    // An empty file, and one with the key but no entries yet, each end with one list.
    for start in ["", "customers:\n"] {
        let (text, loaded) = add::append(path, Some(start), &new).unwrap();
        assert_eq!(text.matches("customers:").count(), 1, "{text}");
        assert!(text.starts_with("customers:\n  - id:"), "{text}");
        assert_eq!(loaded.customers, [new.clone()]);
    }

    // A file of comments only gets the key.
    let (_, loaded) = add::append(path, Some("# nothing yet"), &new).unwrap();
    assert_eq!(loaded.customers, [new]);
}

#[test]
fn committed_schema_matches_the_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/customers.schema.json");
    let want = schema_text();
    if std::env::var_os("BYOA_BLESS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "schemas/customers.schema.json is stale: run `BYOA_BLESS=1 cargo test --lib customers`"
    );
}

#[test]
fn the_file_is_beside_the_spec_and_only_an_empty_one_reads_as_no_customers() {
    assert_eq!(
        beside(Path::new("products/acme/byoa.yaml")),
        Path::new("products/acme/customers.yaml")
    );
    assert_eq!(beside(Path::new("byoa.yaml")), Path::new("customers.yaml"));
    assert!(
        load_str(Path::new("customers.yaml"), "# none yet\n")
            .unwrap()
            .customers
            .is_empty()
    );
    // A syntax error is one, not an empty list.
    let diags = load_str(Path::new("customers.yaml"), "customers: [\n").unwrap_err();
    assert_ne!(diags[0].code, Code::CustomersInvalid);
    assert!(diags[0].location.is_some());
}
