//! The launch page in a real browser: acme-api's page for a customer, with the quick-create
//! links `byoa launch` prints for it (`--base-url`: nothing is uploaded), rendered through the
//! library, opened in headless Chromium (`BYOA_CHROMIUM`, which `scripts/test` installs and
//! exports), its DOM checked (buttons in order, the permission lists, one diagram node per
//! stack, no URL but the buttons'), and screenshots taken at desktop and phone widths.
//! `BYOA_BLESS=1` writes the screenshots to `docs/` for the README; they are never compared
//! byte for byte (fonts differ between machines).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use byoa::cfn::emit::Format;
use byoa::launch::page::Button;
use byoa::launch::permissions;

use crate::{byoa, root};

/// How long one Chromium run may take before the test gives up on it.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// Where the screenshots live, and the window each is taken in.
const SHOTS: &[(&str, &str)] = &[
    ("docs/launch-desktop.png", "1280,2400"),
    ("docs/launch-phone.png", "390,2000"),
];

fn chromium() -> PathBuf {
    let path = std::env::var_os("BYOA_CHROMIUM").unwrap_or_else(|| {
        panic!("BYOA_CHROMIUM is not set: run the suite with `scripts/test` (it installs Chromium)")
    });
    PathBuf::from(path)
}

/// The customer the page is for, as `byoa customers add` records it.
const CUSTOMER: (&str, &str, &str, &str) = ("acme-corp", "Acme Corp", "222222222222", "us-east-1");

/// Where `byoa launch --base-url` says the templates are (an S3 address: the console reads
/// only those); nothing is uploaded.
const BASE_URL: &str = "https://acme-launch.s3.eu-west-1.amazonaws.com/launch";

/// A copy of acme-api's spec in `dir` with one customer, and the buttons for the links
/// `byoa launch` prints for that customer, in its order.
fn launched(dir: &Path) -> (PathBuf, Vec<Button>, PathBuf) {
    let spec = dir.join("byoa.yaml");
    std::fs::copy(root().join("examples/acme-api/byoa.yaml"), &spec).unwrap();
    let (id, name, account, region) = CUSTOMER;
    let spec_arg = spec.to_str().unwrap();
    let (code, _, err) = byoa(&[
        "customers",
        "add",
        id,
        "--name",
        name,
        "--account",
        account,
        "--region",
        region,
        "--env",
        "prod",
        "--spec",
        spec_arg,
    ]);
    assert_eq!(code, 0, "{err}");
    let pages = dir.join("pages");
    let (code, out, err) = byoa(&[
        "launch",
        spec_arg,
        "--customer",
        id,
        "--base-url",
        BASE_URL,
        "--format",
        "json",
        "--pages",
        pages.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let rows: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let row = &rows[0];
    let buttons = row["links"]
        .as_array()
        .expect("links")
        .iter()
        .map(|l| Button {
            label: format!("Launch the {} stack", l["stack"].as_str().unwrap()),
            stack_name: l["stack_name"].as_str().unwrap().to_owned(),
            region: row["region"].as_str().unwrap().to_owned(),
            url: l["url"].as_str().unwrap().to_owned(),
        })
        .collect();
    let page = PathBuf::from(row["page"].as_str().expect("the page byoa launch wrote"));
    assert_eq!(page, pages.join("acme-corp.html"));
    (spec, buttons, page)
}

/// acme-api's prod page for the customer as `byoa launch` wrote it into `dir`, with the
/// synthesis it describes and its buttons.
fn write_page(dir: &Path) -> (PathBuf, byoa::synth::Output, Vec<Button>) {
    let (spec, buttons, path) = launched(dir);
    let loaded = byoa::spec::load(&spec, Some("prod"), byoa::policy::catalogue()).expect("loads");
    let output = byoa::commands::synth::synthesize(&loaded, Format::Yaml).expect("synthesizes");
    (path, output, buttons)
}

/// Runs Chromium headless on `page` with `extra` arguments; returns its standard output.
fn run_chromium(profile: &Path, page: &Path, extra: &[&str]) -> String {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("Chromium starts");
    let start = Instant::now();
    while child.try_wait().expect("Chromium runs").is_none() {
        if start.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            panic!("Chromium did not finish within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("Chromium's output");
    assert!(
        out.status.success(),
        "Chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 DOM")
}

/// Every value of attribute `name` in `dom`, in order.
fn attributes<'a>(dom: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    dom.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &dom[i + needle.len()..];
            &rest[..rest.find('"').expect("closed attribute")]
        })
        .collect()
}

/// The part of `dom` from the element opening with `start` to the next `end`.
fn part<'a>(dom: &'a str, start: &str, end: &str) -> &'a str {
    let from = dom
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in the DOM"));
    let rest = &dom[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[test]
fn launch_page_renders_in_chromium_with_buttons_permissions_and_diagram() {
    let dir = tempfile::tempdir().unwrap();
    let (path, output, buttons) = write_page(dir.path());
    let dom = run_chromium(&dir.path().join("profile"), &path, &["--dump-dom"]);
    // `byoa launch` gives the page the monthly estimate.
    assert!(
        part(&dom, "<section id=\"cost\"", "</section>").contains(" a month"),
        "no estimate on the page"
    );

    // The buttons, in launch order, each the link it was given (HTML-escaped in the DOM).
    assert_eq!(buttons.len(), 2, "the access stack's link, then the root's");
    assert!(buttons[0].url.contains("stackName=acme-api-prod-access"));
    let given: Vec<String> = buttons
        .iter()
        .map(|b| b.url.replace('&', "&amp;"))
        .collect();
    let launch = part(&dom, "<section id=\"launch\"", "</section>");
    assert_eq!(attributes(launch, "href"), given);
    let labels: Vec<&str> = launch
        .match_indices("rel=\"noopener noreferrer\">")
        .map(|(i, m)| {
            let rest = &launch[i + m.len()..];
            &rest[..rest.find('<').unwrap()]
        })
        .collect();
    assert_eq!(labels, ["Launch the access stack", "Launch the root stack"]);

    // The permission lists hold one item per line of the summary of the access template.
    let access = output
        .templates
        .iter()
        .find(|r| r.stack.module == "access")
        .unwrap();
    let summary = permissions::summarize(&access.stack.template.to_value());
    let allows: usize = summary
        .direct
        .iter()
        .chain(&summary.through_cloudformation)
        .map(|g| g.lines.len())
        .sum();
    let granted = part(&dom, "<section id=\"permissions\"", "</section>");
    let through = part(&dom, "<section id=\"through\"", "</section>");
    let lists = |html: &str| html.matches("<ul class=\"plain permissions\">").count();
    assert_eq!(
        lists(granted) + lists(through),
        summary.direct.len() + summary.through_cloudformation.len()
    );
    assert_eq!(
        granted.matches("<li data-sid=").count() + through.matches("<li data-sid=").count(),
        allows + summary.entry.len()
    );
    assert!(granted.contains("stacks named <code>acme-api-prod-*</code>"));
    let never = part(&dom, "<section id=\"never\"", "</section>");
    assert_eq!(never.matches("<li data-sid=").count(), summary.never.len());
    assert!(never.contains("data-sid=\"NeverTouchAuditTrail\""));

    // The diagram: an inline SVG with one node per stack, named by its stack.
    let figure = part(&dom, "<section id=\"architecture\"", "</section>");
    assert_eq!(figure.matches("<svg").count(), 1);
    let nodes: Vec<&str> = attributes(figure, "data-stack");
    let mut stacks: Vec<&str> = output
        .manifest
        .templates
        .iter()
        .map(|t| t.stack_name.as_str())
        .collect();
    let mut drawn = nodes.clone();
    drawn.sort_unstable();
    stacks.sort_unstable();
    assert_eq!(drawn, stacks, "one node per stack");

    // Nothing loads from elsewhere: no script, and no URL but the buttons'.
    assert!(!dom.contains("<script"), "no script");
    let mut urls = attributes(&dom, "src");
    urls.extend(attributes(&dom, "href"));
    for url in urls {
        assert!(
            url.starts_with('#') || given.iter().any(|g| g == url),
            "an external URL in the page: {url}"
        );
    }
    assert!(!dom.contains("<link") && !dom.contains("@import") && !dom.contains("url(http"));
}

#[test]
fn launch_page_screenshots_at_desktop_and_phone_widths() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _, _) = write_page(dir.path());
    let bless = std::env::var_os("BYOA_BLESS").is_some();
    for (i, (committed, window)) in SHOTS.iter().enumerate() {
        let shot = dir.path().join(format!("shot-{i}.png"));
        run_chromium(
            &dir.path().join(format!("profile-{i}")),
            &path,
            &[
                &format!("--screenshot={}", shot.display()),
                &format!("--window-size={window}"),
            ],
        );
        let bytes = std::fs::read(&shot).expect("Chromium wrote the screenshot");
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{committed}: not a PNG"
        );
        assert!(
            bytes.len() > 20_000,
            "{committed}: {} bytes, a blank page?",
            bytes.len()
        );
        let target = root().join(committed);
        if bless {
            std::fs::write(&target, &bytes).unwrap();
        }
        let kept = std::fs::read(&target).unwrap_or_default();
        assert!(
            kept.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{committed} is missing: run `BYOA_BLESS=1 scripts/test launch_page`"
        );
    }
}
