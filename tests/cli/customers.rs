//! `byoa customers add`: entries appended with generated external ids, checked against the
//! spec before anything is written.

use crate::{byoa, root};

#[test]
fn customers_are_added_with_their_own_external_ids_and_bad_ones_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("byoa.yaml");
    std::fs::copy(root().join("examples/acme-api/byoa.yaml"), &spec).unwrap();
    let spec_arg = spec.to_str().unwrap();
    let file = dir.path().join("customers.yaml");
    let add = |extra: &[&str]| {
        let mut args = vec!["customers", "add", "--spec", spec_arg];
        args.extend_from_slice(extra);
        byoa(&args)
    };

    let (code, _, err) = add(&[
        "acme-corp",
        "--name",
        "Acme Corp",
        "--account",
        "222222222222",
        "--region",
        "eu-west-1",
        "--env",
        "prod",
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = add(&[
        "globex",
        "--name",
        "Globex",
        "--account",
        "333333333333",
        "--region",
        "us-east-2",
        "--env",
        "dev",
        "--canary",
        "--parameter",
        "ImageTag=1.2",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("arn:aws:iam::333333333333:role/byoa/acme-api-dev-deployer"),
        "{err}"
    );

    let loaded = byoa::customers::load(&file).expect("the file byoa wrote loads");
    let [a, g] = &loaded.customers[..] else {
        panic!("{:?}", loaded.customers)
    };
    assert_eq!(
        (a.id.as_str(), a.environment.as_str(), a.canary),
        ("acme-corp", "prod", false)
    );
    assert_eq!((g.parameters["ImageTag"].as_str(), g.canary), ("1.2", true));
    assert_ne!(a.external_id, g.external_id);
    assert!(err.contains(&g.external_id), "the new id is shown: {err}");

    // Refused, and the file is left exactly as it was: an environment the spec lacks, a region
    // the environment's residency forbids, an id that exists.
    let before = std::fs::read_to_string(&file).unwrap();
    for (args, code_wanted) in [
        (
            vec![
                "initech",
                "--name",
                "I",
                "--account",
                "444444444444",
                "--region",
                "us-east-1",
                "--env",
                "staging",
            ],
            "customers.environment",
        ),
        (
            vec![
                "acme-corp",
                "--name",
                "A",
                "--account",
                "444444444444",
                "--region",
                "us-east-1",
                "--env",
                "prod",
            ],
            "customers.append",
        ),
        (
            vec![
                "initech",
                "--name",
                "I",
                "--account",
                "4444",
                "--region",
                "us-east-1",
                "--env",
                "prod",
            ],
            "customers.invalid",
        ),
    ] {
        let (code, _, err) = add(&args);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(code_wanted), "{code_wanted}: {err}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    }

    // The schema printed is the committed one.
    let (code, out, _) = byoa(&["customers", "schema"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        std::fs::read_to_string(root().join("schemas/customers.schema.json")).unwrap()
    );
}
