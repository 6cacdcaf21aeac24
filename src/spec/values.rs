//! AWS-shaped values of the model: spec strings parsed once, in validation, into types every
//! module shares.
//!
//! Input: a string as the user wrote it (`db.r6g.large`, `16.15`, an ELB policy name, a secret
//! name or ARN). Output: a typed value, or the reason the string does not have the shape AWS
//! gives it (validation turns the reason into a coded diagnostic). Only the shape is checked
//! here: whether AWS offers that class or version in a region is not this module's question.
//! Invariant: a value's `Display` is the text the user wrote, so templates carry it verbatim.

use std::fmt;

/// An RDS DB instance class, `db.<family>.<size>`, e.g. `db.r6g.large`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceClass {
    family: String,
    size: Size,
    text: String,
}

/// The size part of an instance class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Micro,
    Small,
    Medium,
    Large,
    /// `xlarge` is `XLarge(1)`, `8xlarge` is `XLarge(8)`.
    XLarge(u16),
}

impl InstanceClass {
    /// Parses `db.<family>.<size>`: a family of lowercase letters and digits that starts with a
    /// letter and has a generation digit (`t4g`, `r6gd`, `x2iedn`), and a size (`micro` to
    /// `large`, `xlarge`, `<n>xlarge`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let shape = "an instance class is `db.<family>.<size>`, e.g. `db.t4g.medium`";
        let mut parts = text.split('.');
        let (Some("db"), Some(family), Some(size), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(shape.to_owned());
        };
        let family_ok = family.starts_with(|c: char| c.is_ascii_lowercase())
            && family
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && family.contains(|c: char| c.is_ascii_digit());
        if !family_ok {
            return Err(format!("`{family}` is not an instance family; {shape}"));
        }
        let size = match size {
            "micro" => Size::Micro,
            "small" => Size::Small,
            "medium" => Size::Medium,
            "large" => Size::Large,
            "xlarge" => Size::XLarge(1),
            n => match n.strip_suffix("xlarge").map(str::parse::<u16>) {
                Some(Ok(k)) if k >= 2 && !n.starts_with('0') => Size::XLarge(k),
                _ => {
                    return Err(format!(
                        "`{size}` is not an instance size; use `micro`, `small`, `medium`, `large`, `xlarge` or `<n>xlarge`"
                    ));
                }
            },
        };
        Ok(InstanceClass {
            family: family.to_owned(),
            size,
            text: text.to_owned(),
        })
    }

    /// The family, e.g. `r6g`.
    pub fn family(&self) -> &str {
        &self.family
    }

    pub fn size(&self) -> Size {
        self.size
    }

    /// Memory in GiB for the burstable (`t`), general purpose (`m`) and memory optimized (`r`)
    /// families; `None` for others, whose ratios vary by generation.
    pub fn memory_gib(&self) -> Option<u64> {
        if self.family.starts_with('t') {
            return match self.size {
                Size::Micro => Some(1),
                Size::Small => Some(2),
                Size::Medium => Some(4),
                Size::Large => Some(8),
                Size::XLarge(1) => Some(16),
                Size::XLarge(2) => Some(32),
                Size::XLarge(_) => None,
            };
        }
        let vcpus = match self.size {
            Size::Large => 2,
            Size::XLarge(1) => 4,
            Size::XLarge(k) => 4 * u64::from(k),
            Size::Micro | Size::Small | Size::Medium => return None,
        };
        let per_vcpu = match self.family.chars().next()? {
            'm' => 4,
            'r' => 8,
            _ => return None,
        };
        Some(vcpus * per_vcpu)
    }
}

impl fmt::Display for InstanceClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A PostgreSQL engine version: `16`, `16.15`, or before 10 `9.6` / `9.6.24`; a release of
/// RDS Extended Support carries a date after the version (`11.22-rds.20240418`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineVersion {
    major: u16,
    /// The second part of a 9.x major (`6` in `9.6`).
    major_minor: Option<u16>,
    text: String,
}

impl EngineVersion {
    pub fn parse(text: &str) -> Result<Self, String> {
        let shape = "write `<major>.<minor>`, e.g. `16.15`";
        let version = match text.split_once("-rds.") {
            Some((version, date))
                if date.len() == 8 && date.bytes().all(|b| b.is_ascii_digit()) =>
            {
                version
            }
            Some(_) => return Err(shape.to_owned()),
            None => text,
        };
        let parts: Option<Vec<u16>> = version
            .split('.')
            .map(|p| {
                (!p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        let Some(parts) = parts else {
            return Err(shape.to_owned());
        };
        match parts.as_slice() {
            [9, second, ..] if parts.len() <= 3 => Ok(EngineVersion {
                major: 9,
                major_minor: Some(*second),
                text: text.to_owned(),
            }),
            [major, ..] if *major >= 10 && parts.len() <= 2 => Ok(EngineVersion {
                major: *major,
                major_minor: None,
                text: text.to_owned(),
            }),
            _ => Err(format!(
                "byoa knows PostgreSQL versions 9.x and from 10 on; {shape}"
            )),
        }
    }

    /// The major version: `16` for `16.15`, `9.6` for `9.6.24` (before 10, PostgreSQL majors
    /// had two parts).
    pub fn major(&self) -> String {
        match self.major_minor {
            Some(second) => format!("{}.{second}", self.major),
            None => self.major.to_string(),
        }
    }

    /// The DB parameter group family, e.g. `postgres16`.
    pub fn parameter_group_family(&self) -> String {
        format!("postgres{}", self.major())
    }
}

impl fmt::Display for EngineVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The security policy of an HTTPS listener: one of Elastic Load Balancing's predefined
/// policies, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPolicy(String);

impl TlsPolicy {
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text.strip_prefix("ELBSecurityPolicy-").unwrap_or_default();
        if rest.is_empty() || !rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(
                "a listener policy is a predefined `ELBSecurityPolicy-...` name, e.g. `ELBSecurityPolicy-TLS13-1-2-2021-06`"
                    .to_owned(),
            );
        }
        Ok(TlsPolicy(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a container secret comes from: a Secrets Manager secret by ARN or by name, or an SSM
/// Parameter Store parameter (`ssm:/prod/db/password` or its ARN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// A full ARN, maybe with a JSON key, stage and version after the secret
    /// (`...:secret:db-AbCdEf:password::`).
    Arn {
        /// What ECS reads, as written.
        value_from: String,
        /// The secret's ARN alone (its first seven fields), which IAM grants.
        secret: String,
    },
    /// A name in the customer's account and region, maybe with `:<json key>:<stage>:<version>`.
    Name { name: String, selector: String },
    /// An SSM parameter by full ARN (`arn:<partition>:ssm:<region>:<account>:parameter/...`),
    /// which ECS reads and IAM grants as written.
    ParameterArn { arn: String },
    /// An SSM parameter by name in the customer's account and region (`/prod/db/password`).
    ParameterName { name: String },
}

impl SecretSource {
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(name) = text.strip_prefix("ssm:") {
            parameter_name(name)?;
            return Ok(SecretSource::ParameterName {
                name: name.to_owned(),
            });
        }
        if text.starts_with("arn:") {
            let fields: Vec<&str> = text.splitn(8, ':').collect();
            return match fields.as_slice() {
                [_, _, "secretsmanager", _, _, "secret", name, ..] if !name.is_empty() => {
                    Ok(SecretSource::Arn {
                        value_from: text.to_owned(),
                        secret: fields[..7].join(":"),
                    })
                }
                [_, _, "ssm", _, _, resource] => {
                    let name = resource.strip_prefix("parameter").unwrap_or_default();
                    // `parameter/name` holds `name`, `parameter/a/b` holds `/a/b`.
                    let name = match name.strip_prefix('/') {
                        Some(plain) if !plain.contains('/') => plain,
                        _ => name,
                    };
                    parameter_name(name)?;
                    Ok(SecretSource::ParameterArn {
                        arn: text.to_owned(),
                    })
                }
                _ => Err(
                    "a secret ARN is `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` \
                     or `arn:<partition>:ssm:<region>:<account>:parameter/<name>`"
                        .to_owned(),
                ),
            };
        }
        let (name, selector) = match text.split_once(':') {
            Some((name, rest)) => (name, format!(":{rest}")),
            None => (text, String::new()),
        };
        if name.is_empty() {
            return Err("name the secret, e.g. `my-product/stripe-key`".to_owned());
        }
        Ok(SecretSource::Name {
            name: name.to_owned(),
            selector,
        })
    }
}

/// Checks an SSM parameter name as Parameter Store does: letters, digits and `_.-/`, at most
/// 15 levels and 960 characters (Parameter Store's limit, 1,011, counts the whole ARN, which
/// is at most 51 characters longer in the commercial partition); a name with a `/` is a full path starting with `/`; `aws`
/// and `ssm` (any case) are reserved as the first word.
fn parameter_name(name: &str) -> Result<(), String> {
    let example = "e.g. `ssm:/acme/prod/stripe-key`";
    if name.is_empty() {
        return Err(format!("name the parameter, {example}"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-/".contains(*c)))
    {
        return Err(format!(
            "an SSM parameter name holds letters, digits and `_.-/` only, not `{c}`"
        ));
    }
    if name.len() > 960 {
        return Err(
            "an SSM parameter name has at most 960 characters (1,011 with its ARN)".to_owned(),
        );
    }
    if name.contains('/') && !name.starts_with('/') {
        return Err(format!(
            "a parameter name with `/` is a full path starting with `/`, {example}"
        ));
    }
    if name.contains("//") || name.ends_with('/') {
        return Err(format!("a parameter path has no empty level, {example}"));
    }
    if name.matches('/').count() > 15 {
        return Err("a parameter path has at most 15 levels".to_owned());
    }
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err(
            "Parameter Store reserves names starting with `aws` or `ssm`; \
             public parameters under `/aws/service/` are not secrets"
                .to_owned(),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_classes_parse_into_family_and_size() {
        let c = InstanceClass::parse("db.r6g.large").unwrap();
        assert_eq!((c.family(), c.size()), ("r6g", Size::Large));
        assert_eq!(c.to_string(), "db.r6g.large");
        assert_eq!(
            InstanceClass::parse("db.x2iedn.16xlarge").unwrap().size(),
            Size::XLarge(16)
        );
        for bad in [
            "banana",
            "db.r6g",
            "r6g.large",
            "db.r6g.large.x",
            "db.6g.large",
            "db.rg.large",
            "db.R6g.large",
            "db.r6g.huge",
            "db.r6g.1xlarge",
            "db.r6g.02xlarge",
            "db.r6g.xxlarge",
            "db..large",
        ] {
            assert!(InstanceClass::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instance_memory_follows_the_family_ratios() {
        let mem = |c: &str| InstanceClass::parse(c).unwrap().memory_gib();
        assert_eq!(mem("db.t4g.micro"), Some(1));
        assert_eq!(mem("db.t4g.medium"), Some(4));
        assert_eq!(mem("db.t3.2xlarge"), Some(32));
        assert_eq!(mem("db.t3.4xlarge"), None);
        assert_eq!(mem("db.m6g.large"), Some(8));
        assert_eq!(mem("db.r6g.large"), Some(16));
        assert_eq!(mem("db.r6g.xlarge"), Some(32));
        assert_eq!(mem("db.r6g.4xlarge"), Some(128));
        assert_eq!(mem("db.m5.small"), None);
        assert_eq!(mem("db.x2g.large"), None);
    }

    #[test]
    fn engine_versions_give_major_and_parameter_group_family() {
        let v = EngineVersion::parse("16.15").unwrap();
        assert_eq!(
            (v.major(), v.parameter_group_family()),
            ("16".into(), "postgres16".into())
        );
        assert_eq!(v.to_string(), "16.15");
        for (version, family) in [
            ("16", "postgres16"),
            ("15.12", "postgres15"),
            ("17.4", "postgres17"),
        ] {
            assert_eq!(
                EngineVersion::parse(version)
                    .unwrap()
                    .parameter_group_family(),
                family
            );
        }
        let extended = EngineVersion::parse("11.22-rds.20240418").unwrap();
        assert_eq!(extended.parameter_group_family(), "postgres11");
        assert_eq!(extended.to_string(), "11.22-rds.20240418");
        let old = EngineVersion::parse("9.6.24").unwrap();
        assert_eq!(old.parameter_group_family(), "postgres9.6");
        for bad in [
            "",
            "16.",
            ".16",
            "16.x",
            "sixteen",
            "8.4",
            "16.1.2",
            "9",
            "9.6.1.1",
            "+16",
            "11.22-rds.2024",
            "11.22-rds.",
        ] {
            assert!(EngineVersion::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tls_policies_are_predefined_elb_policy_names() {
        let p = TlsPolicy::parse("ELBSecurityPolicy-TLS13-1-2-2021-06").unwrap();
        assert_eq!(p.as_str(), "ELBSecurityPolicy-TLS13-1-2-2021-06");
        for bad in [
            "",
            "TLS13",
            "ELBSecurityPolicy-",
            "ELBSecurityPolicy-TLS 1.2",
        ] {
            assert!(TlsPolicy::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_by_arn_keep_the_selector_out_of_the_iam_resource() {
        let arn = "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf";
        assert_eq!(
            SecretSource::parse(&format!("{arn}:password::")).unwrap(),
            SecretSource::Arn {
                value_from: format!("{arn}:password::"),
                secret: arn.to_owned()
            }
        );
        assert_eq!(
            SecretSource::parse("shared/region:key").unwrap(),
            SecretSource::Name {
                name: "shared/region".into(),
                selector: ":key".into()
            }
        );
        for bad in [
            "arn:aws:s3:::bucket",
            "arn:aws:secretsmanager:r:1:secret:",
            ":key",
        ] {
            assert!(SecretSource::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ssm_parameters_parse_by_name_and_by_arn() {
        let parse = |s: &str| SecretSource::parse(s);
        assert_eq!(
            parse("ssm:/acme/prod/db-password").unwrap(),
            SecretSource::ParameterName {
                name: "/acme/prod/db-password".into()
            }
        );
        assert_eq!(
            parse("ssm:stripe_key.v2").unwrap(),
            SecretSource::ParameterName {
                name: "stripe_key.v2".into()
            }
        );
        for arn in [
            "arn:aws:ssm:eu-west-1:111111111111:parameter/acme/prod/key",
            "arn:aws:ssm:eu-west-1:111111111111:parameter/plain",
            "arn:aws-us-gov:ssm:us-gov-west-1:111111111111:parameter/a/b",
        ] {
            assert_eq!(
                parse(arn).unwrap(),
                SecretSource::ParameterArn { arn: arn.into() }
            );
        }
        let deep = format!("ssm:{}", "/a".repeat(16));
        let long = format!("ssm:/{}", "a".repeat(960));
        for bad in [
            "ssm:",
            "ssm:acme/prod/key",
            "ssm:/acme//key",
            "ssm:/acme/key/",
            "ssm:/acme/key name",
            "ssm:/acme/${Env}/key",
            "ssm:/aws/service/ami",
            "ssm:SSM-key",
            "ssm:awsKey",
            deep.as_str(),
            long.as_str(),
            "arn:aws:ssm:eu-west-1:111111111111:document/run",
            "arn:aws:ssm:eu-west-1:111111111111:parameter",
            "arn:aws:ssm:eu-west-1:111111111111:parameter/a/",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse(&format!("ssm:/{}", "a/".repeat(14) + "z")).is_ok());
        assert!(parse(&format!("ssm:/{}", "a".repeat(959))).is_ok());
        // In an ARN, `parameter/NAME` holds `NAME` (no slash): 960 characters still fit.
        let arn = "arn:aws:ssm:eu-west-1:111111111111:parameter/";
        assert!(parse(&format!("{arn}{}", "a".repeat(960))).is_ok());
        assert!(parse(&format!("{arn}{}", "a".repeat(961))).is_err());
    }
}
