//! Console quick-create links: what the customer's cloud admin clicks to launch a stack.
//!
//! Input: the region, the template's URL, the stack name and the parameter values the vendor
//! prefills. Output: the link, or a `launch.*` diagnostic. Pure.
//!
//! The form AWS documents: `https://<region>.console.aws.amazon.com/cloudformation/home?region=
//! <region>#/stacks/quickcreate?templateURL=<url>&stackName=<name>&param_<Name>=<value>`. The
//! console reads the part after `#` itself, so every value is percent-encoded as a query value
//! (RFC 3986: everything but unreserved characters), the template URL included. Parameter
//! names are case-sensitive and must be the template's; the console ignores unknown and
//! `NoEcho` parameters, so prefilling one is refused here instead of silently dropped. The
//! customer can still edit every prefilled value, and fills the rest in the console's form
//! (grouped, labelled, described by `AWS::CloudFormation::Interface`).

use crate::diag::{Code, Diagnostic};

/// Links longer than this break in some browsers, e-mail clients and chat tools (2,083
/// characters was Internet Explorer's limit, and many tools still cut near 2,000).
pub const LONG_LINK: usize = 2000;

/// CloudFormation's stack name rule: a letter, then letters, digits and hyphens; at most 128.
pub fn check_stack_name(name: &str) -> Result<(), Diagnostic> {
    let ok = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Diagnostic::new(
            Code::LaunchLink,
            format!("`{name}` is not a stack name the console accepts"),
        )
        .with_help("a letter first, then letters, digits and hyphens, at most 128 characters"))
    }
}

/// A template parameter as the link builder needs it.
pub struct TemplateParameter<'a> {
    pub name: &'a str,
    pub no_echo: bool,
}

/// The quick-create link. `prefill` names parameters of the template (`parameters`).
pub fn quick_create(
    region: &str,
    template_url: &str,
    stack_name: &str,
    parameters: &[TemplateParameter<'_>],
    prefill: &[(String, String)],
) -> Result<String, Diagnostic> {
    check_stack_name(stack_name)?;
    let mut url = format!(
        "https://{region}.console.aws.amazon.com/cloudformation/home?region={}#/stacks/quickcreate?templateURL={}&stackName={}",
        encode(region),
        encode(template_url),
        encode(stack_name)
    );
    for (name, value) in prefill {
        match parameters.iter().find(|p| p.name == name) {
            None => {
                let d = Diagnostic::new(
                    Code::LaunchParameter,
                    format!("stack `{stack_name}` has no parameter `{name}` to prefill"),
                );
                let names = parameters.iter().map(|p| p.name);
                return Err(match crate::diag::did_you_mean(name, names) {
                    Some(best) => d.with_help(format!("did you mean `{best}`? (names are case-sensitive)")),
                    None => d.with_help("prefill only the template's parameters (`byoa synth` lists them in manifest.json)"),
                });
            }
            Some(p) if p.no_echo => {
                return Err(Diagnostic::new(
                    Code::LaunchParameter,
                    format!("parameter `{name}` of `{stack_name}` is NoEcho: the console ignores prefilled NoEcho values"),
                )
                .with_help("let the customer type it in the console's form"));
            }
            Some(_) => url.push_str(&format!("&param_{}={}", encode(name), encode(value))),
        }
    }
    Ok(url)
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[TemplateParameter<'static>] = &[
        TemplateParameter {
            name: "ExternalId",
            no_echo: false,
        },
        TemplateParameter {
            name: "DbPassword",
            no_echo: true,
        },
    ];

    /// The inverse of `encode`, to prove every value comes back exactly.
    fn decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_special_character_is_encoded_and_comes_back() {
        let nasty = "a b&c=d#e?f/g+h%i:j@k,l;m\"n'o<p>q[r]s{t}u|v\\w^x`y~z-._ é ☃";
        let e = encode(nasty);
        assert!(
            e.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{e}"
        );
        assert_eq!(decode(&e), nasty);
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode("a b"), "a%20b");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn a_link_carries_the_template_name_and_prefilled_values_encoded() {
        let url = quick_create(
            "eu-west-1",
            "https://b.s3.eu-west-1.amazonaws.com/p/acme/access.yaml?v=1&x=2",
            "acme-prod-access",
            PARAMS,
            &[("ExternalId".into(), "id&evil=1".into())],
        )
        .unwrap();
        assert_eq!(
            url,
            "https://eu-west-1.console.aws.amazon.com/cloudformation/home?region=eu-west-1#/stacks/quickcreate?templateURL=https%3A%2F%2Fb.s3.eu-west-1.amazonaws.com%2Fp%2Facme%2Faccess.yaml%3Fv%3D1%26x%3D2&stackName=acme-prod-access&param_ExternalId=id%26evil%3D1"
        );
        // Exactly the parameters asked for: one `&` per field, none smuggled by a value.
        assert_eq!(url.matches('&').count(), 2);
    }

    #[test]
    fn unknown_no_echo_and_misspelled_parameters_are_refused() {
        let link = |name: &str| {
            quick_create(
                "us-east-1",
                "https://x",
                "s",
                PARAMS,
                &[(name.into(), "v".into())],
            )
        };
        let e = link("DbPassword").unwrap_err();
        assert!(e.message.contains("NoEcho"), "{e:?}");
        let e = link("externalid").unwrap_err();
        assert_eq!(e.code, Code::LaunchParameter);
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `ExternalId`? (names are case-sensitive)")
        );
        assert!(link("ExternalId").is_ok());
    }

    #[test]
    fn stack_names_follow_the_console_rules() {
        for ok in ["a", "acme-prod-root", &format!("a{}", "b".repeat(127))] {
            assert!(check_stack_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "1acme",
            "-acme",
            "acme_prod",
            "acme prod",
            "acmé",
            &"a".repeat(129),
        ] {
            assert_eq!(
                check_stack_name(bad).unwrap_err().code,
                Code::LaunchLink,
                "{bad}"
            );
        }
    }
}
