//! The load balancer's listeners and what the internet may reach: HTTPS on 443 with the
//! customer's certificate and a port-80 redirect to it, or, in a development environment that
//! asks for it (`network.load_balancer.https: false`), plain HTTP on port 80 with no
//! certificate.
//!
//! Input: the model's load balancer. Output: the certificate parameter, the listeners, the
//! ports the load balancer's security group opens, and the listener output services attach
//! their rules to (`HttpsListenerArn`, or `HttpListenerArn` for plain HTTP: a distinct wire
//! name, so a service stack built for one can never be wired to the other). Invariant: with
//! HTTPS, port 80 forwards nothing (a redirect only); validation allows plain HTTP only where
//! no compliance profile is selected and outside production, and the plain listener carries
//! that decision as a scanner suppression with its reason.

use serde_json::json;

use crate::cfn::func::r#ref;
use crate::cfn::{Parameter, Resource, Template};
use crate::modules::scanners;
use crate::naming::{console, wire};
use crate::spec::model::LoadBalancer;

/// The rule a plain-HTTP listener breaks by design.
const PLAIN_HTTP_RULE: &str = "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK";

/// The wire name of the listener services attach their rules to.
pub fn wire_name(lb: &LoadBalancer) -> &'static str {
    if lb.https {
        wire::HTTPS_LISTENER_ARN
    } else {
        wire::HTTP_LISTENER_ARN
    }
}

/// The certificate the HTTPS listener presents: a launch parameter (none for plain HTTP).
pub(super) fn certificate(t: &mut Template, lb: &LoadBalancer) {
    if !lb.https {
        return;
    }
    t.add_parameter(
        console::CERTIFICATE_ARN,
        Parameter::new(
            "String",
            super::GROUP_LOAD_BALANCER,
            "TLS certificate ARN",
            "ARN of the ACM certificate the HTTPS listener presents (in this account and region).",
        )
        .pattern(
            r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[A-Za-z0-9-]+$",
            "must be an ACM certificate ARN, e.g. arn:aws:acm:us-east-1:123456789012:certificate/...",
        ),
    );
}

/// Requests no service claims get a 404 from the load balancer itself.
fn not_found() -> serde_json::Value {
    json!([{
        "Type": "fixed-response",
        "FixedResponseConfig": {"StatusCode": "404", "ContentType": "text/plain", "MessageBody": "Not found"},
    }])
}

/// The port-80 listener with its default actions.
fn http_listener(actions: serde_json::Value) -> Resource {
    Resource::new(
        "AWS::ElasticLoadBalancingV2::Listener",
        json!({
            "LoadBalancerArn": r#ref("LoadBalancer"),
            "Port": 80,
            "Protocol": "HTTP",
            "DefaultActions": actions,
        }),
    )
}

pub(super) fn listeners(t: &mut Template, lb: &LoadBalancer) {
    if !lb.https {
        let mut listener = http_listener(not_found());
        // Validation allows plain HTTP only where no profile is selected, so the deviation is
        // the spec's own choice: recorded on the listener with its reason, where `byoa check`
        // (which judges an environment without profiles against every rule) and the other
        // scanners read it.
        scanners::suppress(
            &mut listener,
            PLAIN_HTTP_RULE,
            scanners::Ids {
                guard: &[PLAIN_HTTP_RULE],
                checkov: &["CKV_AWS_2"],
                cfn_lint: &[],
            },
            port_80_reason(lb),
        );
        t.add_resource("HttpListener", listener, None);
        t.trace(
            "HttpListener",
            "DefaultActions",
            ["network.load_balancer.https"],
        );
        return;
    }
    t.add_resource(
        "HttpsListener",
        Resource::new(
            "AWS::ElasticLoadBalancingV2::Listener",
            json!({
                "LoadBalancerArn": r#ref("LoadBalancer"),
                "Port": 443,
                "Protocol": "HTTPS",
                "SslPolicy": lb.ssl_policy.as_str(),
                "Certificates": [{"CertificateArn": r#ref(console::CERTIFICATE_ARN)}],
                "DefaultActions": not_found(),
            }),
        ),
        None,
    );
    t.trace(
        "HttpsListener",
        "SslPolicy",
        ["network.load_balancer.ssl_policy"],
    );
    let redirect = json!([{
        "Type": "redirect",
        "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
    }]);
    t.add_resource("HttpListener", http_listener(redirect), None);
}

/// The load balancer security group's description.
pub(super) fn group_description(lb: &LoadBalancer) -> &'static str {
    if lb.https {
        "Load balancer: HTTPS and HTTP (redirected) from the internet"
    } else {
        "Load balancer: plain HTTP from the internet (a development environment)"
    }
}

/// The ports the internet reaches: (ingress rule id, port, description).
pub(super) fn public_ports(lb: &LoadBalancer) -> Vec<(&'static str, u16, &'static str)> {
    let http = if lb.https {
        "HTTP from the internet, redirected to HTTPS"
    } else {
        "HTTP from the internet (plain HTTP: a development environment)"
    };
    let mut ports = vec![("LoadBalancerHttpIngress", 80, http)];
    if lb.https {
        ports.insert(
            0,
            ("LoadBalancerHttpsIngress", 443, "HTTPS from the internet"),
        );
    }
    ports
}

/// Why port 80 is open to the internet, for the scanners that flag it.
pub(super) fn port_80_reason(lb: &LoadBalancer) -> &'static str {
    if lb.https {
        "port 80 is open only so the load balancer's HTTP listener can redirect to \
         HTTPS (HTTP 301); it forwards nothing"
    } else {
        "a development environment without compliance profiles serves plain HTTP on port 80 \
         by choice (`network.load_balancer.https: false`)"
    }
}

/// The output naming the listener services attach their rules to.
pub(super) fn output(t: &mut Template, lb: &LoadBalancer) {
    let (description, id) = if lb.https {
        (
            "ARN of the HTTPS listener that services attach their rules to",
            "HttpsListener",
        )
    } else {
        (
            "ARN of the plain-HTTP listener that services attach their rules to",
            "HttpListener",
        )
    };
    t.add_output(wire_name(lb), description, r#ref(id));
}
