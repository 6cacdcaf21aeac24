//! Secret detection: free-text spec values that would put a credential into a template.
//!
//! Stage: semantic validation. Input: the merged view of one environment (so a value an
//! overlay sets is judged, and its diagnostic points at the overlay's line). Output: one coded
//! diagnostic per suspicious value, never the value itself: at most a masked form (`ghp_****`,
//! `postgres://app:****@db`), nothing of a random string.
//! `detect` is the pure core: a value (and the name it is set under, where there is one) -> the
//! kind of secret it looks like. Four classes, strongest first:
//!
//! | class | code | severity | fires on |
//! |---|---|---|---|
//! | known token | `secret.known-token` | error | the shapes in `TOKENS`, PEM private keys, JWTs |
//! | URL credentials | `secret.url-credentials` | error | `scheme://user:password@host` |
//! | secret-like name | `service.plaintext-secret` | error | `DB_PASSWORD`, `DB_PASS`, `API_KEY`, `*_TOKEN`, ... |
//! | high entropy | `secret.high-entropy` | warning | a random-looking token of 20+ characters |
//!
//! The first three are errors because they are precise: a provider's token shape, a password
//! written into a URL, a variable its author named a secret. High entropy is a heuristic (a
//! public client id or a publishable key is random too), so it warns and never stops a command.
//! Placeholders are never secrets: CloudFormation dynamic references (`{{resolve:...}}`) and
//! substitutions (`${AWS::Region}`, `${DB_PASSWORD}`) are blanked before any class looks, and
//! a URL password of `$VAR`, `<password>`, `{password}`, `%s` or `****` is a placeholder too.
//!
//! A false positive of an error class is resolved by the fix itself: a value moved into
//! Secrets Manager and referenced from the service's `secrets:` is harmless even when it was
//! not secret. `compliance.exceptions` waive Guard rules on templates and do not apply here.
//! Values that validation parses into a fixed shape (CIDRs, regions, ARNs, the database name)
//! cannot hold a credential and are not scanned.

use crate::diag::{Code, Diagnostic, push_pointer};
use crate::spec::types::Spec;

/// The kind of secret a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A token whose shape a provider publishes (prefix and length), a PEM private key, a JWT.
    KnownToken,
    /// A password inside a URL.
    UrlCredentials,
    /// A value set under a name that says it is a secret.
    SecretName,
    /// A long random-looking string.
    HighEntropy,
}

impl Class {
    pub fn code(self) -> Code {
        match self {
            Class::KnownToken => Code::SecretKnownToken,
            Class::UrlCredentials => Code::SecretUrlCredentials,
            Class::SecretName => Code::ServicePlaintextSecret,
            Class::HighEntropy => Code::SecretHighEntropy,
        }
    }

    /// Whether the class stops validation (see the module table for why).
    pub fn is_error(self) -> bool {
        self != Class::HighEntropy
    }
}

/// What `detect` found in a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    pub class: Class,
    /// What it looks like, for messages: "a GitHub personal access token".
    pub what: String,
    /// The value masked so that no secret part shows (`ghp_****`); empty when nothing of the
    /// value can be shown: the name class (the message names the variable) and high entropy
    /// (every character of a random string is part of the secret).
    pub masked: String,
}

/// The kind of secret `value` looks like, set under `name` when it has one (an environment
/// variable), or `None`.
pub fn detect(name: Option<&str>, value: &str) -> Option<Suspect> {
    let value = blank_placeholders(value);
    let suspect = |class, what: &str, masked| Suspect {
        class,
        what: what.to_owned(),
        masked,
    };
    if let Some((what, masked)) = known_token(&value) {
        return Some(suspect(Class::KnownToken, what, masked));
    }
    if let Some(masked) = url_credentials(&value) {
        return Some(suspect(
            Class::UrlCredentials,
            "a URL with a password",
            masked,
        ));
    }
    if name.is_some_and(secret_name) && !harmless_under_a_secret_name(&value) {
        return Some(suspect(Class::SecretName, "a secret", String::new()));
    }
    high_entropy(&value).map(|len| {
        let what = format!("a random-looking string of {len} characters");
        suspect(Class::HighEntropy, &what, String::new())
    })
}

/// Stands in for every placeholder: `{{...}}` (dynamic references) and `${...}` (substitutions)
/// become `$`, which no class takes for part of a secret.
fn blank_placeholders(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    loop {
        let next = [rest.find("{{"), rest.find("${")]
            .into_iter()
            .flatten()
            .min();
        let Some(start) = next else { break };
        let close = if rest[start..].starts_with("{{") {
            "}}"
        } else {
            "}"
        };
        let Some(len) = rest[start..].find(close) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('$');
        rest = &rest[start + len + close.len()..];
    }
    out.push_str(rest);
    out
}

/// A token shape a provider publishes: a prefix, then a run of `body` characters.
struct Token {
    prefix: &'static str,
    what: &'static str,
    body: fn(u8) -> bool,
    /// Exactly this many body characters when `exact`, else at least this many.
    len: usize,
    exact: bool,
}

const fn token(
    prefix: &'static str,
    what: &'static str,
    body: fn(u8) -> bool,
    len: usize,
) -> Token {
    Token {
        prefix,
        what,
        body,
        len,
        exact: false,
    }
}

const fn exactly(
    prefix: &'static str,
    what: &'static str,
    body: fn(u8) -> bool,
    len: usize,
) -> Token {
    Token {
        prefix,
        what,
        body,
        len,
        exact: true,
    }
}

fn upper_digit(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

fn alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

fn alnum_underscore(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn alnum_hyphen(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

fn path_part(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'/'
}

/// The token shapes byoa knows, from the providers' documentation. Lengths are the published
/// ones where exact (AWS, Google), else a floor below every published length, so that a
/// truncated example (`sk_live_abc`) is left to the name class.
const TOKENS: &[Token] = &[
    exactly("AKIA", "an AWS access key id", upper_digit, 16),
    exactly("ASIA", "an AWS temporary access key id", upper_digit, 16),
    token("ghp_", "a GitHub personal access token", alnum, 30),
    token("gho_", "a GitHub OAuth token", alnum, 30),
    token("ghu_", "a GitHub user-to-server token", alnum, 30),
    token("ghs_", "a GitHub server-to-server token", alnum, 30),
    token("ghr_", "a GitHub refresh token", alnum, 30),
    token(
        "github_pat_",
        "a GitHub fine-grained token",
        alnum_underscore,
        30,
    ),
    token("glpat-", "a GitLab personal access token", base64url, 20),
    token("xoxb-", "a Slack bot token", alnum_hyphen, 10),
    token("xoxa-", "a Slack app token", alnum_hyphen, 10),
    token("xoxp-", "a Slack user token", alnum_hyphen, 10),
    token("xoxr-", "a Slack refresh token", alnum_hyphen, 10),
    token("xoxs-", "a Slack session token", alnum_hyphen, 10),
    token(
        "https://hooks.slack.com/services/",
        "a Slack webhook URL",
        path_part,
        20,
    ),
    token("sk_live_", "a Stripe secret key", alnum, 16),
    token("rk_live_", "a Stripe restricted key", alnum, 16),
    token("sk_test_", "a Stripe test secret key", alnum, 16),
    token("rk_test_", "a Stripe test restricted key", alnum, 16),
    exactly("AIza", "a Google API key", base64url, 35),
    token("npm_", "an npm access token", alnum, 30),
    token("pypi-AgEIcHlwaS5vcmc", "a PyPI API token", base64url, 30),
    token("sk-ant-", "an Anthropic API key", base64url, 30),
    token("sk-proj-", "an OpenAI project API key", base64url, 30),
    token("hf_", "a Hugging Face token", alnum, 30),
    exactly("shpat_", "a Shopify access token", hex, 32),
    exactly("shpss_", "a Shopify shared secret", hex, 32),
    exactly("dop_v1_", "a DigitalOcean personal access token", hex, 64),
];

/// The first known token shape in `value`: what it is and its masked form (the prefix).
fn known_token(value: &str) -> Option<(&'static str, String)> {
    let bytes = value.as_bytes();
    for t in TOKENS {
        for (at, _) in value.match_indices(t.prefix) {
            // A prefix glued to a word (`myAKIA...`) is part of something else.
            if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
                continue;
            }
            let body = &bytes[at + t.prefix.len()..];
            let run = body.iter().take_while(|b| (t.body)(**b)).count();
            let fits = if t.exact {
                run == t.len && !body.get(run).is_some_and(u8::is_ascii_alphanumeric)
            } else {
                run >= t.len
            };
            if fits {
                return Some((t.what, format!("{}****", t.prefix)));
            }
        }
    }
    private_key(value).or_else(|| jwt(value))
}

/// A PEM block whose label names a private key (`RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`,
/// `PGP PRIVATE KEY BLOCK`); certificates and public keys are not secrets.
fn private_key(value: &str) -> Option<(&'static str, String)> {
    value.match_indices("-----BEGIN ").find_map(|(at, begin)| {
        let rest = &value[at + begin.len()..];
        let label = &rest[..rest.find("-----")?];
        label
            .contains("PRIVATE KEY")
            .then(|| ("a PEM private key", format!("-----BEGIN {label}-----****")))
    })
}

/// A JSON Web Token: three base64url parts, header and payload JSON objects (`eyJ` is `{"`),
/// and a signature (an unsigned token grants nothing).
fn jwt(value: &str) -> Option<(&'static str, String)> {
    let candidates = value.split(|c: char| !(c.is_ascii() && (base64url(c as u8) || c == '.')));
    candidates
        .filter(|c| {
            let parts: Vec<&str> = c.split('.').collect();
            matches!(parts.as_slice(), [header, payload, signature]
                if header.len() >= 10 && header.starts_with("eyJ")
                    && payload.len() >= 10 && payload.starts_with("eyJ")
                    && signature.len() >= 16)
        })
        .map(|_| ("a JSON Web Token", "eyJ****".to_owned()))
        .next()
}

/// `scheme://user:password@host` with a real password: the URL masked, password starred.
fn url_credentials(value: &str) -> Option<String> {
    let bytes = value.as_bytes();
    for (at, _) in value.match_indices("://") {
        let start = bytes[..at]
            .iter()
            .rposition(|b| !(b.is_ascii_alphanumeric() || b"+.-".contains(b)))
            .map_or(0, |i| i + 1);
        let scheme = &value[start..at];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let rest = &value[at + 3..];
        let end = rest
            .find(|c: char| "/?#\"'`".contains(c) || c.is_whitespace())
            .unwrap_or(rest.len());
        let Some((userinfo, host)) = rest[..end].rsplit_once('@') else {
            continue;
        };
        let Some((user, password)) = userinfo.split_once(':') else {
            continue;
        };
        if is_placeholder(password) {
            continue;
        }
        return Some(format!("{scheme}://{user}:****@{host}"));
    }
    None
}

/// A password written as a stand-in: none at all, `$VAR` (and the `$` of a blanked `${...}`),
/// `<password>`, `{password}`, `%s`, `****`, `xxxx`.
fn is_placeholder(password: &str) -> bool {
    let wrapped = |open: char, close: char| password.starts_with(open) && password.ends_with(close);
    password.starts_with('$')
        || password.starts_with('%')
        || wrapped('<', '>')
        || wrapped('{', '}')
        || password.chars().all(|c| c == '*')
        || password.chars().all(|c| c == 'x' || c == 'X')
}

/// Words that name a secret on their own (`DB_PASSWORD`, `GITHUB_TOKEN`, `DB_PASS`).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "PASSPHRASE",
    "SECRET",
    "TOKEN",
    "CREDENTIAL",
    "CREDENTIALS",
    "CREDS",
    "APIKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "ACCESSKEY",
];

/// Words that make a following `KEY` a secret (`API_KEY`, `SECRET_KEY`); `KEY` alone
/// (`KEY_ID`, `PUBLIC_KEY`, `CACHE_KEY`) is not.
const KEY_KINDS: &[&str] = &[
    "API",
    "PRIVATE",
    "SECRET",
    "ACCESS",
    "SIGNING",
    "ENCRYPTION",
    "MASTER",
    "SESSION",
    "LICENSE",
    "APP",
    "HMAC",
    "WEBHOOK",
    "AUTH",
    "SSH",
];

/// Words that may follow a secret word and keep it one (`SECRET_KEY_BASE`,
/// `DB_PASSWORD_PROD`); any other (`TOKEN_URL`, `PASSWORD_MIN_LENGTH`, `SECRET_ARN`) says
/// the variable is about the secret, not the secret.
const SECRET_SUFFIXES: &[&str] = &[
    "BASE",
    "VALUE",
    "STRING",
    "RAW",
    "B64",
    "BASE64",
    "HEX",
    "PEM",
    "PROD",
    "PRODUCTION",
    "DEV",
    "STAGING",
    "STAGE",
    "TEST",
    "QA",
    "PRIMARY",
    "SECONDARY",
    "OLD",
    "NEW",
    "CURRENT",
    "PREVIOUS",
    "NEXT",
];

/// Whether a variable name says its value is a secret: its last secret word (or `<kind>_KEY`)
/// is followed only by suffixes from `SECRET_SUFFIXES` (or a version number), and no `PUBLIC`
/// or `PUBLISHABLE` comes before it. `PWD` alone is the working directory, not a password.
pub fn secret_name(name: &str) -> bool {
    let words = words(name);
    for i in (0..words.len()).rev() {
        let pair = words[i] == "KEY" && i > 0 && KEY_KINDS.contains(&words[i - 1].as_str());
        let single = SECRET_WORDS.contains(&words[i].as_str()) && !(words[i] == "PWD" && i == 0);
        if !pair && !single {
            continue;
        }
        let start = if pair { i - 1 } else { i };
        let suffix_ok = words[i + 1..].iter().all(|w| {
            SECRET_SUFFIXES.contains(&w.as_str())
                || w.bytes().all(|b| b.is_ascii_digit())
                || w.strip_prefix('V')
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        let public = words[..start]
            .iter()
            .any(|w| w == "PUBLIC" || w == "PUBLISHABLE");
        return suffix_ok && !public;
    }
    false
}

/// The words of a name in upper case: split at anything not a letter or digit and where a
/// lowercase letter or digit meets an uppercase one (`dbPassword` -> `DB`, `PASSWORD`).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            out.extend((!current.is_empty()).then(|| std::mem::take(&mut current)));
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = c.is_lowercase() || c.is_numeric();
        current.extend(c.to_uppercase());
    }
    out.extend((!current.is_empty()).then_some(current));
    out
}

/// Values that are no secret even under a secret's name: nothing (or only placeholders), a
/// switch (`REQUIRE_PASSWORD: "true"`), or where the secret is kept (an ARN, a file path, a
/// URL without a password).
fn harmless_under_a_secret_name(value: &str) -> bool {
    let v = value.trim();
    let switch = ["true", "false", "yes", "no", "on", "off"]
        .iter()
        .any(|s| v.eq_ignore_ascii_case(s));
    let url = v.split_once("://").is_some_and(|(scheme, rest)| {
        !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
            && !rest.contains(char::is_whitespace)
    });
    v.chars().all(|c| c == '$' || c.is_whitespace())
        || switch
        || v.starts_with("arn:")
        || ["/", "./", "~/"].iter().any(|p| v.starts_with(p))
        || url
}

/// Shortest token the entropy class judges: random tokens shorter than this are rare as
/// credentials, and short base64 values (`dGVzdA==`) are common as configuration.
const MIN_RANDOM_LEN: usize = 20;

/// The length of the first random-looking token of `value`. A token is a run of base64
/// characters (`A-Z a-z 0-9 + / _ -`) between any other character, so a token is judged
/// whether it stands alone, after `--key=` or in a query.
///
/// It must have `MIN_RANDOM_LEN` characters, all three of upper case, lower case and digits
/// (hex, lowercase ids and words do not), letters and digits that change class between
/// neighbours (symbols skipped) at least 40% of the time (random text does ~60%,
/// `CamelCaseWords2024` far less), and carry Shannon entropy of at least 0.8 x log2 of its
/// length (capped at 64). So hex (commit SHAs, digests,
/// UUIDs: one letter case) never fires; left out besides: paths (a leading `/`), base64 that
/// decodes to printable text, and values with a PEM block (certificates; private keys are
/// known tokens).
/// Tokens next to `.`, `:` or `@` stay whole, so ARNs, host names, image references and URLs
/// are never tokens of their own.
fn high_entropy(value: &str) -> Option<usize> {
    if value.contains("-----BEGIN") {
        return None;
    }
    let separator = |c: char| c.is_whitespace() || "\"'`=,;&?()[]<>|{}!#".contains(c);
    value
        .split(separator)
        .find(|t| looks_random(t))
        .map(str::len)
}

fn looks_random(token: &str) -> bool {
    let b = token.as_bytes();
    let charset = |c: &u8| c.is_ascii_alphanumeric() || b"+/_-".contains(c);
    if b.len() < MIN_RANDOM_LEN || !b.iter().all(charset) || b[0] == b'/' {
        return false;
    }
    let has = |f: fn(&u8) -> bool| b.iter().any(f);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    // Symbols between words (`ELBSecurityPolicy-TLS13-1-2-2021-06`) would count as changes.
    let alnum: Vec<u8> = b
        .iter()
        .copied()
        .filter(u8::is_ascii_alphanumeric)
        .collect();
    let class = |c: u8| (c.is_ascii_lowercase(), c.is_ascii_uppercase());
    let switches = alnum
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    if switches * 10 < (alnum.len() - 1) * 4 {
        return false;
    }
    let cap = (b.len().min(64) as f64).log2();
    shannon(b) >= 0.8 * cap && !decodes_to_text(b)
}

/// Shannon entropy in bits per character.
fn shannon(bytes: &[u8]) -> f64 {
    let mut counts = [0usize; 256];
    for b in bytes {
        counts[usize::from(*b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether `token` is base64 (standard or URL-safe, padding optional) of printable text:
/// encoded configuration, not a random key.
fn decodes_to_text(token: &[u8]) -> bool {
    let sextet = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut bits = 0u32;
    let mut held = 0;
    let mut decoded = Vec::with_capacity(token.len() * 3 / 4);
    for c in token {
        let Some(v) = sextet(*c) else { return false };
        bits = (bits << 6) | v;
        held += 6;
        if held >= 8 {
            held -= 8;
            decoded.push((bits >> held) as u8);
            bits &= (1 << held) - 1;
        }
    }
    decoded
        .iter()
        .all(|c| c.is_ascii_graphic() || *c == b' ' || *c == b'\n' || *c == b'\t')
}

/// Where a value sits, for the message and the fix.
enum Place<'a> {
    /// An environment variable of a service: the fix is the service's `secrets:`.
    Environment { service: &'a str, name: &'a str },
    /// A service's health check command: the fix is a secret read from the environment.
    /// `what` names the command: `health check command`, `command`, `entrypoint`.
    Command { service: &'a str, what: &'a str },
    /// A reference under a service's `secrets:`, which names a secret and never holds one.
    SecretReference { service: &'a str, name: &'a str },
    /// Any other field (tags, owner, routes, exception reasons): no secret belongs there.
    Field { field: String },
}

/// Scans every free-text value of `spec` that lands in a template and reports each suspect at
/// its field.
pub fn check(spec: &Spec, d: &mut Vec<Diagnostic>) {
    // The example secret name in a help line starts with the product's name, when it has a
    // usable one (a bad name is reported on its own).
    let product = &spec.product.name;
    let product = if crate::spec::validate::is_dns_label(product) {
        product.as_str()
    } else {
        "my-product"
    };
    let field = |pointer: &str| Place::Field {
        field: crate::diag::pointer_to_field(pointer),
    };
    let mut scan = |pointer: String, place: Place<'_>, value: &str| {
        let name = match &place {
            Place::Environment { name, .. } => Some(*name),
            _ => None,
        };
        if let Some(s) = detect(name, value) {
            d.push(diagnostic(&s, pointer, &place, product));
        }
    };
    if let Some(owner) = &spec.product.owner {
        scan("/product/owner".into(), field("/product/owner"), owner);
    }
    for (key, value) in &spec.product.tags {
        let pointer = push_pointer("/product/tags", key);
        scan(pointer.clone(), field(&pointer), value);
    }
    for (i, s) in spec.services.iter().enumerate() {
        let base = format!("/services/{i}");
        for (name, value) in &s.environment {
            let place = Place::Environment {
                service: &s.name,
                name,
            };
            scan(
                push_pointer(&format!("{base}/environment"), name),
                place,
                value,
            );
        }
        for (name, reference) in &s.secrets {
            let place = Place::SecretReference {
                service: &s.name,
                name,
            };
            let pointer = push_pointer(&format!("{base}/secrets"), name);
            scan(pointer, place, reference);
        }
        for (j, part) in s.health_check_command.iter().flatten().enumerate() {
            let place = Place::Command {
                service: &s.name,
                what: "health check command",
            };
            scan(format!("{base}/health_check_command/{j}"), place, part);
        }
        // Task permissions: their resources and reasons are written into the templates.
        for (j, grant) in s.permissions.iter().enumerate() {
            let at = format!("{base}/permissions/{j}");
            let resources = grant.resources.iter().enumerate();
            let mut texts: Vec<(String, &str)> = resources
                .map(|(k, r)| (format!("{at}/resources/{k}"), r.as_str()))
                .collect();
            texts.extend(grant.reason.as_deref().map(|r| (format!("{at}/reason"), r)));
            for (pointer, text) in texts {
                scan(pointer.clone(), field(&pointer), text);
            }
        }
        let user = format!("{base}/user");
        scan(user.clone(), field(&user), &s.user);
        // Sidecars read no secrets: any credential in their variables or commands is plain text.
        for (j, sc) in s.sidecars.iter().enumerate() {
            let at = format!("{base}/sidecars/{j}");
            for (name, value) in &sc.environment {
                let pointer = push_pointer(&format!("{at}/environment"), name);
                scan(pointer.clone(), field(&pointer), value);
            }
            let commands = [
                ("command", &sc.command),
                ("health_check_command", &sc.health_check_command),
            ];
            for (key, command) in commands {
                for (k, part) in command.iter().flatten().enumerate() {
                    let pointer = format!("{at}/{key}/{k}");
                    scan(pointer.clone(), field(&pointer), part);
                }
            }
        }
        for (key, command) in [("command", &s.command), ("entrypoint", &s.entrypoint)] {
            for (k, part) in command.iter().flatten().enumerate() {
                let place = Place::Command {
                    service: &s.name,
                    what: key,
                };
                scan(format!("{base}/{key}/{k}"), place, part);
            }
        }
        if let Some(expose) = &s.expose {
            let mut texts: Vec<(String, &str)> = expose
                .paths
                .iter()
                .enumerate()
                .map(|(j, p)| (format!("{base}/expose/paths/{j}"), p.as_str()))
                .collect();
            texts.extend(
                expose
                    .host
                    .as_deref()
                    .map(|h| (format!("{base}/expose/host"), h)),
            );
            texts.push((
                format!("{base}/expose/health_check_path"),
                &expose.health_check_path,
            ));
            for (pointer, text) in texts {
                scan(pointer.clone(), field(&pointer), text);
            }
        }
    }
    for (i, e) in spec.compliance.exceptions.iter().enumerate() {
        let pointer = format!("/compliance/exceptions/{i}/reason");
        scan(pointer.clone(), field(&pointer), &e.reason);
    }
}

fn diagnostic(s: &Suspect, pointer: String, place: &Place<'_>, product: &str) -> Diagnostic {
    let shown = if s.masked.is_empty() {
        String::new()
    } else {
        format!(" (`{}`)", s.masked)
    };
    let (message, help) = match place {
        Place::Environment { service, name } => {
            let message = if s.class == Class::SecretName {
                format!(
                    "environment variable `{name}` of service `{service}` looks like a secret but its value is written in the spec"
                )
            } else {
                format!(
                    "environment variable `{name}` of service `{service}` holds {}{shown}",
                    s.what
                )
            };
            let help = format!(
                "store it in Secrets Manager and reference it from the service's `secrets:` instead of `environment:`, e.g. `secrets: {{{name}: {product}/{}}}` (a secret name or ARN); plain values are visible in templates and in the console",
                name.to_ascii_lowercase().replace('_', "-")
            );
            (message, help)
        }
        Place::Command { service, what } => (
            format!(
                "the {what} of service `{service}` holds {}{shown}",
                s.what
            ),
            "read it from the environment instead: add `secrets: {VAR: <secret name or ARN>}` to the service and write `$VAR` in the command".to_owned(),
        ),
        Place::SecretReference { service, name } => (
            format!(
                "secret `{name}` of service `{service}` holds {}{shown} where the name of a Secrets Manager secret belongs",
                s.what
            ),
            format!(
                "`secrets:` takes where the value is kept, not the value: store it in Secrets Manager and write the secret's name or ARN, e.g. `{name}: {product}/{}`",
                name.to_ascii_lowercase().replace('_', "-")
            ),
        ),
        Place::Field { field } => (
            format!("`{field}` holds {}{shown}", s.what),
            format!(
                "remove it: `{field}` is written into templates as is; a service takes a secret from Secrets Manager through `secrets: {{VAR: <secret name or ARN>}}`"
            ),
        ),
    };
    let help = if s.class.is_error() {
        help
    } else {
        format!("if it is a secret, {help}; if it is not (a public id), this warning stops nothing")
    };
    let d = Diagnostic::error(s.class.code(), pointer, message).with_help(help);
    match s.class {
        Class::SecretName => d.at_key(),
        Class::HighEntropy => d.as_warning(),
        _ => d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(name: Option<&str>, value: &str) -> Option<Class> {
        detect(name, value).map(|s| s.class)
    }

    fn value_class(value: &str) -> Option<Class> {
        class(None, value)
    }

    #[test]
    fn known_tokens_are_recognised_and_masked_to_their_prefix() {
        let cases = [
            ("AKIAIOSFODNN7EXAMPLE", "AKIA****"),
            ("ASIAIOSFODNN7EXAMPLE", "ASIA****"),
            ("ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_****"),
            ("gho_0123456789abcdefghijABCDEFGHIJ012345", "gho_****"),
            ("ghs_0123456789abcdefghijABCDEFGHIJ012345", "ghs_****"),
            (
                "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
                "github_pat_****",
            ),
            ("glpat-abcdefghij0123456789", "glpat-****"),
            ("xoxb-123456789012-abcdefghijkl", "xoxb-****"),
            ("xoxp-1234567890-abc", "xoxp-****"),
            ("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_****"),
            ("rk_live_4eC39HqLyjWDarjtT1zdp7dc", "rk_live_****"),
            ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIza****"),
            ("npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm_****"),
            (
                "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
                "https://hooks.slack.com/services/****",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...",
                "-----BEGIN RSA PRIVATE KEY-----****",
            ),
            (
                "-----BEGIN OPENSSH PRIVATE KEY-----",
                "-----BEGIN OPENSSH PRIVATE KEY-----****",
            ),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "eyJ****",
            ),
        ];
        for (value, masked) in cases {
            let s = detect(None, value).unwrap_or_else(|| panic!("{value} not found"));
            assert_eq!(s.class, Class::KnownToken, "{value}");
            assert_eq!(s.masked, masked, "{value}");
            // Inside a longer value too: after `=`, in a command, quoted.
            for wrapped in [format!("--key={value}"), format!("run \"{value}\" now")] {
                assert_eq!(value_class(&wrapped), Some(Class::KnownToken), "{wrapped}");
            }
        }
    }

    #[test]
    fn near_misses_of_token_shapes_are_not_known_tokens() {
        for value in [
            "AKIAIOSFODNN7EXAMPL",   // one short
            "AKIAIOSFODNN7EXAMPLEX", // one long
            "AKIAiosfodnn7example",  // lowercase
            "ABCDEFGHIJKLMNOPQRST",  // no prefix
            "myAKIAIOSFODNN7EXAMPLE",
            "sk_live_abc", // a truncated example: the name class judges it
            "ghp_short",
            "AIzaTooShort",
            "-----BEGIN CERTIFICATE-----\nMIIB",
            "-----BEGIN PUBLIC KEY-----",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", // unsigned
            "a.b.c",
            "v1.2.3",
        ] {
            assert_ne!(value_class(value), Some(Class::KnownToken), "{value}");
        }
    }

    #[test]
    fn passwords_in_urls_are_recognised_and_masked() {
        let cases = [
            (
                "postgres://app:hunter2@db.internal:5432/app",
                "postgres://app:****@db.internal:5432",
            ),
            ("redis://:s3cret@cache:6379", "redis://:****@cache:6379"),
            ("amqp+ssl://user:p%40ss@mq/vhost", "amqp+ssl://user:****@mq"),
            (
                "curl -f https://admin:admin@localhost:8080/health",
                "https://admin:****@localhost:8080",
            ),
        ];
        for (value, masked) in cases {
            let s = detect(None, value).unwrap_or_else(|| panic!("{value}"));
            assert_eq!(s.class, Class::UrlCredentials, "{value}");
            assert_eq!(s.masked, masked);
            assert!(!s.masked.contains("hunter2") && !s.masked.contains("s3cret"));
        }
    }

    #[test]
    fn urls_without_a_real_password_are_not_credentials() {
        for value in [
            "https://api.example.com/v1/users?limit=10",
            "ssh://git@github.com/acme/api.git",
            "mailto:ops@example.com",
            "https://user@example.com/",
            "postgres://app:@db/app",
            "postgres://app:${DB_PASSWORD}@db/app",
            "postgres://app:{{resolve:secretsmanager:prod/db:SecretString:password}}@db/app",
            "postgres://app:$PGPASSWORD@db/app",
            "postgres://app:<password>@db/app",
            "postgres://app:{password}@db/app",
            "postgres://app:%s@db/app",
            "postgres://app:****@db/app",
            "https://example.com/a:b@c",
            "://x:y@z",
            "https://host:8443/path",
        ] {
            assert_eq!(value_class(value), None, "{value}");
        }
    }

    #[test]
    fn secret_names_match_and_their_look_alikes_do_not() {
        for name in [
            "DB_PASSWORD",
            "DB_PASS",
            "SMTP_PASSWD",
            "MYSQL_PWD",
            "API_KEY",
            "STRIPE_API_KEY",
            "GITHUB_TOKEN",
            "JWT_SECRET",
            "CLIENT_SECRET",
            "PRIVATE_KEY",
            "AWS_SECRET_ACCESS_KEY",
            "SECRET_KEY_BASE",
            "DB_PASSWORD_PROD",
            "SIGNING_KEY_V2",
            "SECRET",
            "TOKEN",
            "apiKey",
            "dbPassword",
            "db-password",
            "GOOGLE_APPLICATION_CREDENTIALS",
        ] {
            assert!(secret_name(name), "{name} should be secret-like");
        }
        for name in [
            "TOKEN_URL",
            "TOKEN_TTL_SECONDS",
            "PASSWORD_MIN_LENGTH",
            "KEY_ID",
            "AWS_ACCESS_KEY_ID",
            "API_KEY_ID",
            "PUBLIC_KEY",
            "STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_API_KEY",
            "SECRET_NAME",
            "DB_SECRET_ARN",
            "PASSWORD_FILE",
            "CACHE_KEY",
            "MAX_TOKENS",
            "BYPASS_CACHE",
            "PASS_THROUGH",
            "PWD",
            "OLDPWD",
            "COMPASS_URL",
            "LOG_LEVEL",
            "",
            "_",
            "ПАРОЛЬ",
        ] {
            assert!(!secret_name(name), "{name} should not be secret-like");
        }
    }

    #[test]
    fn a_secret_name_fires_only_on_a_value_that_could_be_the_secret() {
        assert_eq!(
            class(Some("DB_PASSWORD"), "hunter2"),
            Some(Class::SecretName)
        );
        assert_eq!(class(Some("DB_PASS"), "changeme"), Some(Class::SecretName));
        assert_eq!(
            class(Some("DB_PASSWORD"), "prefix-${X}"),
            Some(Class::SecretName)
        );
        for value in [
            "",
            "   ",
            "${DB_PASSWORD}",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "{{resolve:ssm-secure:/prod/db/password}}",
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:db-AbCdEf",
            "/run/secrets/db_password",
            "https://vault.internal/v1/secret/db",
            "true",
            "OFF",
        ] {
            assert_eq!(class(Some("DB_PASSWORD"), value), None, "{value:?}");
        }
        // A stronger class wins over the name: the message can say what the value is.
        assert_eq!(
            class(
                Some("GITHUB_TOKEN"),
                "ghp_0123456789abcdefghijABCDEFGHIJ012345"
            ),
            Some(Class::KnownToken)
        );
    }

    #[test]
    fn random_strings_are_high_entropy_and_masked() {
        for value in [
            "x8Kq2LmZ9vR4tY7wB3nP6sD1fH5jG0cA",
            "9Xk2/pL7qRt+Vw3ZbN8mF4hJc6Ds1Ga0Ye5Ui2Ko",
            "Zm9vYmFy3kX9_q-PL2mN8rT4vW6yA1cE5gI7kM0o",
            "--secret=Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7",
        ] {
            let s = detect(None, value).unwrap_or_else(|| panic!("{value}"));
            assert_eq!(s.class, Class::HighEntropy, "{value}");
            assert_eq!(s.masked, "", "{value}: nothing of a random secret is shown");
            let len = value.trim_start_matches("--secret=").len();
            assert_eq!(
                s.what,
                format!("a random-looking string of {len} characters")
            );
        }
    }

    /// Recall of the entropy class on what it is for: of 1,000 random 32-character draws from
    /// the base64 alphabets, nearly all are flagged (the rules leave room for the odd word-like
    /// or symbol-heavy draw).
    #[test]
    fn most_random_draws_are_flagged() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for alphabet in [
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            let a = alphabet.as_bytes();
            let flagged = (0..1000)
                .filter(|_| {
                    let token: String = (0..32)
                        .map(|_| char::from(a[(next() % a.len() as u64) as usize]))
                        .collect();
                    value_class(&token) == Some(Class::HighEntropy)
                })
                .count();
            assert!(flagged >= 900, "{alphabet}: {flagged} of 1000");
        }
    }

    #[test]
    fn identifiers_paths_and_words_are_not_high_entropy() {
        let long_word = "abc".repeat(10_000);
        for value in [
            "123e4567-e89b-12d3-a456-426614174000",     // UUID
            "3f786850e387550fdab836ed7e6dc881de23001b", // commit SHA
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "3F786850E387550FDAB836ED7E6DC881DE23001B",
            "arn:aws:iam::123456789012:role/acme-api-prod-Deployer2",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbC1dE",
            "https://api.example.com/v1/Users2/Items?limit=10",
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api:1.2.3",
            "/usr/local/bin/Healthcheck2Binary",
            "/opt/App2/ConfigFiles9/Main",
            "/data/Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7xC0fB", // a file named by a random id
            "3n4b5urk1ft4fl3mg5e62d9bek",             // a lowercase client id
            "aGVsbG8=",                               // base64 of `hello`
            "VGhpcyBpcyBhIGxvbmdlciBzZW50ZW5jZQ==",   // base64 of a sentence
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ProductionDatabase2024Backup",
            "Aa1Bb2Aa1Bb2Aa1Bb2Aa1Bb2Aa1Bb2", // a pattern: low entropy
            "3f786850E387550fdab836ed7e6dc881DE23001b", // hex in mixed case
            "MyApplicationServer2024Config",
            "com.example.MyApplication2",
            "the quick brown fox jumps over the lazy dog 2024 Edition",
            "${AWS::Region}",
            "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            "{{resolve:ssm:/acme/api/Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7}}",
            "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUYz1Kq3Bf9XrT0vW4yZ7Ab3dE6gH9jK2m\n-----END CERTIFICATE-----",
            "pässwörd-ÄÖÜ-日本語-テスト-1234567890-Ünïcödé",
            "",
            &long_word,
        ] {
            assert_eq!(value_class(value), None, "{value}");
        }
    }

    #[test]
    fn unusual_inputs_never_panic_and_stay_unflagged_or_masked() {
        let long_random: String = "x8Kq2LmZ9vR4tY7wB3nP6sD1fH5jG0cA".repeat(2_000);
        let s = detect(None, &long_random).expect("long random is flagged");
        assert_eq!(s.what, "a random-looking string of 64000 characters");
        for value in [
            "{{",
            "}}",
            "${",
            "${}",
            "{{resolve:",
            "://",
            "a://",
            "@",
            ":@",
            "é://ü:ö@ä",
            "\u{0}",
            "ghp_",
            "-----BEGIN ",
            "eyJ.eyJ.",
            "🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑",
        ] {
            let _ = detect(Some(value), value);
        }
    }

    #[test]
    fn only_high_entropy_is_a_warning() {
        for c in [Class::KnownToken, Class::UrlCredentials, Class::SecretName] {
            assert!(c.is_error());
        }
        assert!(!Class::HighEntropy.is_error());
        assert_eq!(
            Class::SecretName.code().as_str(),
            "service.plaintext-secret"
        );
    }

    #[test]
    fn placeholders_are_blanked_whole() {
        assert_eq!(blank_placeholders("a${X}b{{resolve:y}}c"), "a$b$c");
        assert_eq!(blank_placeholders("${unterminated"), "${unterminated");
        assert_eq!(blank_placeholders("{{a}}{{b}}"), "$$");
        assert_eq!(blank_placeholders("ü${ö}ä"), "ü$ä");
    }

    #[test]
    fn words_split_at_separators_and_case_changes() {
        assert_eq!(words("dbPassword"), ["DB", "PASSWORD"]);
        assert_eq!(words("API_KEY-v2"), ["API", "KEY", "V2"]);
        assert_eq!(words("OAuth2Token"), ["OAUTH2", "TOKEN"]);
        assert!(words("__").is_empty());
    }

    /// Every free-text field that lands in a template is scanned, in the environment's merged
    /// view: a value an overlay sets is reported at the overlay's line.
    #[test]
    fn every_free_text_field_is_scanned_overlays_included() {
        const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
        let text = format!(
            "product: {{name: acme, vendor_account_id: \"111111111111\", owner: {KEY}, tags: {{t: {KEY}}}}}\n\
             region: us-east-1\n\
             compliance:\n  exceptions: [{{rule: R, resource: X, reason: \"accepted because {KEY}\"}}]\n\
             services:\n\
             \x20 - name: api\n\
             \x20   port: 80\n\
             \x20   user: \"{KEY}\"\n\
             \x20   environment: {{A: {KEY}}}\n\
             \x20   secrets: {{S: {KEY}}}\n\
             \x20   health_check_command: [CMD, {KEY}]\n\
             \x20   expose: {{paths: [\"/{KEY}\"], host: {KEY}.example.com, health_check_path: /h/{KEY}}}\n\
             \x20   permissions: [{{actions: [s3:GetObject], resources: [\"arn:aws:s3:::b/{KEY}\"], reason: \"reads {KEY}\"}}]\n\
             environments:\n  dev: {{}}\n  prod:\n    services:\n      - name: api\n        environment: {{B: \"x {KEY}\"}}\n"
        );
        let path = std::path::Path::new("byoa.yaml");
        let errors = |env| {
            let d = crate::spec::load_str(path, &text, Some(env), &Default::default())
                .expect_err("the keys are errors");
            let mut found: Vec<(String, usize)> = d
                .iter()
                .filter(|d| d.code == Code::SecretKnownToken)
                .map(|d| (d.field().unwrap(), d.location.as_ref().unwrap().line))
                .collect();
            found.sort();
            found
        };
        let base = [
            ("compliance.exceptions[0].reason", 4),
            ("product.owner", 1),
            ("product.tags.t", 1),
            ("services[0].environment.A", 9),
            ("services[0].expose.health_check_path", 12),
            ("services[0].expose.host", 12),
            ("services[0].expose.paths[0]", 12),
            ("services[0].health_check_command[1]", 11),
            ("services[0].permissions[0].reason", 13),
            ("services[0].permissions[0].resources[0]", 13),
            ("services[0].secrets.S", 10),
            ("services[0].user", 8),
        ];
        let owned = |list: &[(&str, usize)]| -> Vec<(String, usize)> {
            list.iter().map(|(f, l)| ((*f).to_owned(), *l)).collect()
        };
        assert_eq!(errors("dev"), owned(&base));
        let mut prod = owned(&base);
        prod.push(("services[0].environment.B".to_owned(), 19));
        prod.sort();
        assert_eq!(errors("prod"), prod);
    }

    proptest::proptest! {
        /// Any value: no panic, and the masked form is empty or stars the secret part.
        #[test]
        fn detection_is_total_and_never_echoes_the_value(name in "\\PC{0,24}", value in "\\PC{0,200}") {
            if let Some(s) = detect(Some(&name), &value) {
                proptest::prop_assert!(s.masked.is_empty() || s.masked.contains("****"));
                if s.class == Class::HighEntropy {
                    proptest::prop_assert_eq!(s.masked, "");
                }
            }
        }

        /// A placeholder, whatever it holds, is no secret, even under a secret's name.
        #[test]
        fn placeholders_never_fire(inner in "[A-Za-z0-9:/_-]{0,80}") {
            for v in [format!("${{{inner}}}"), format!("{{{{resolve:secretsmanager:{inner}}}}}")] {
                proptest::prop_assert_eq!(detect(Some("DB_PASSWORD"), &v), None);
            }
        }
    }
}
