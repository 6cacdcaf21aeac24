//! The AWS wall: the only file that names the AWS SDK. It implements `Cloud` over
//! CloudFormation, S3 and STS, on one small tokio runtime, blocking per call, so everything
//! above it is plain synchronous code.
//!
//! ECS is read only while following a deployment: a service's rollout and why its tasks
//! stopped.
//!
//! Credentials come from the standard chain (environment, profile, SSO, process); with a role
//! ARN, that role is assumed first (with the customer's external id), eagerly, so a refused
//! trust fails at once and names the role, and refreshed by the SDK for long deployments. An
//! endpoint URL (`--endpoint-url`, or the SDK's own `AWS_ENDPOINT_URL`) points every client at
//! an AWS-compatible server such as moto: S3 then uses path-style addresses, and
//! `object_url` names objects the way that server serves them. Retries: the SDK's standard
//! mode (throttling and transient errors back off), its attempts set by `AWS_MAX_ATTEMPTS`.

use std::time::{Duration, Instant};

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation as cfn;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::primitives::DateTimeFormat;
use aws_sdk_cloudformation::types as t;
use aws_sdk_ecs as ecs;
use aws_sdk_s3 as s3;
use aws_sdk_sts::config::ProvideCredentials;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

use super::{
    ChangeSet, ChangeSetKind, ChangeSetRequest, Cloud, CloudError, CloudResult, DeployedSet,
    DriftDetection, ParameterValue, ResourceChange, ResourceDrift, Rollout, StackEvent,
    StackInstance, StackResource, StackSetRequest, StackSetTargets, StackSets, StackState,
    TemplateSource,
};

/// How to reach the account.
#[derive(Debug, Clone, Default)]
pub struct Connection {
    pub region: String,
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
    /// The customer's deployer role, and the external id its trust policy requires.
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
}

/// `Cloud` over the AWS SDK.
pub struct Aws {
    runtime: tokio::runtime::Runtime,
    cfn: cfn::Client,
    ecs: ecs::Client,
    s3: s3::Client,
    region: String,
    endpoint_url: Option<String>,
    started: Instant,
}

impl Aws {
    /// Connects: loads credentials and, with a role, assumes it. The error names what failed.
    pub fn connect(c: &Connection) -> CloudResult<Aws> {
        let runtime = runtime()?;
        let endpoint_url = endpoint(c);
        let config = runtime.block_on(load(c, endpoint_url.as_deref()))?;
        let cfn = cfn::Client::new(&config);
        let ecs = ecs::Client::new(&config);
        let s3 = s3::Client::from_conf(
            s3::config::Builder::from(&config)
                .force_path_style(endpoint_url.is_some())
                .build(),
        );
        Ok(Aws {
            runtime,
            cfn,
            ecs,
            s3,
            region: c.region.clone(),
            endpoint_url,
            started: Instant::now(),
        })
    }
}

fn runtime() -> CloudResult<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CloudError::new("start", "the AWS client", e.to_string()))
}

/// `--endpoint-url`, else the SDK's own `AWS_ENDPOINT_URL`.
fn endpoint(c: &Connection) -> Option<String> {
    c.endpoint_url.clone().or_else(|| {
        std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|v| !v.is_empty())
    })
}

/// One `AssumeRole` into `role` from the connection's own credentials (its `role_arn` is not
/// used), with `external_id` or none: the session's ARN, or AWS's answer with its code
/// (`AccessDenied` when the trust refuses). `byoa access verify` proves refusals with it.
pub fn assume_role(c: &Connection, role: &str, external_id: Option<&str>) -> CloudResult<String> {
    let runtime = runtime()?;
    let endpoint_url = endpoint(c);
    let own = Connection {
        role_arn: None,
        external_id: None,
        ..c.clone()
    };
    runtime.block_on(async {
        let config = load(&own, endpoint_url.as_deref()).await?;
        let out = aws_sdk_sts::Client::new(&config)
            .assume_role()
            .role_arn(role)
            .role_session_name("byoa-verify")
            .set_external_id(external_id.map(str::to_owned))
            .send()
            .await
            .map_err(|e| fail("AssumeRole", role, e))?;
        Ok(out
            .assumed_role_user()
            .map(|u| u.arn().to_owned())
            .unwrap_or_default())
    })
}

async fn load(c: &Connection, endpoint_url: Option<&str>) -> CloudResult<SdkConfig> {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(c.region.clone()))
        .http_client(http);
    if let Some(url) = endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(p) = &c.profile {
        loader = loader.profile_name(p);
    }
    let base = loader.load().await;
    let Some(role) = &c.role_arn else {
        check_credentials(&base, "the default credential chain").await?;
        return Ok(base);
    };
    let mut assume = AssumeRoleProvider::builder(role)
        .session_name("byoa-deploy")
        .region(Region::new(c.region.clone()))
        .configure(&base);
    if let Some(id) = &c.external_id {
        assume = assume.external_id(id);
    }
    let provider = assume.build().await;
    // Assume now: a refused trust (wrong external id, wrong account) fails here, named.
    provider
        .provide_credentials()
        .await
        .map_err(|e| refused(role, &e))?;
    Ok(base
        .into_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build())
}

/// A failed assume as AWS answered it (its code, `AccessDenied` for a refused trust, and its
/// message), found in the credential provider's error chain; else the whole chain.
fn refused(role: &str, e: &(dyn std::error::Error + 'static)) -> CloudError {
    type AssumeError =
        aws_sdk_sts::error::SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError>;
    let mut source = Some(e);
    while let Some(s) = source {
        if let Some(sdk) = s.downcast_ref::<AssumeError>()
            && let Some(message) = sdk.message()
        {
            return CloudError {
                operation: "AssumeRole",
                target: role.to_owned(),
                code: sdk.code().map(str::to_owned),
                message: message.to_owned(),
            };
        }
        source = s.source();
    }
    CloudError::new("AssumeRole", role, DisplayErrorContext(e).to_string())
}

async fn check_credentials(config: &SdkConfig, source: &str) -> CloudResult<()> {
    let Some(provider) = config.credentials_provider() else {
        return Err(CloudError::new(
            "load credentials",
            source,
            "no credentials found",
        ));
    };
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| {
            CloudError::new(
                "load credentials",
                source,
                DisplayErrorContext(&e).to_string(),
            )
        })
}

/// An SDK error as a `CloudError`: AWS's code and message when it sent them; an HTTP status
/// without an AWS error (what an emulator answers for what it does not implement); else the
/// error chain (a connection failure, a timeout).
fn fail<E>(operation: &'static str, target: &str, e: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let message = match (e.message(), e.raw_response()) {
        (Some(m), _) => m.to_owned(),
        (None, Some(raw)) if e.code().is_none() => format!(
            "the endpoint answered HTTP {} without an AWS error (an AWS-compatible server may not implement this)",
            raw.status().as_u16()
        ),
        _ => DisplayErrorContext(&e).to_string(),
    };
    CloudError {
        operation,
        target: target.to_owned(),
        code: e.code().map(str::to_owned),
        message,
    }
}

impl Cloud for Aws {
    fn stack(&self, name: &str) -> CloudResult<Option<StackState>> {
        let result = self
            .runtime
            .block_on(self.cfn.describe_stacks().stack_name(name).send());
        let out = match result {
            Ok(out) => out,
            Err(e) => {
                let e = fail("DescribeStacks", name, e);
                return if e.is_not_found() { Ok(None) } else { Err(e) };
            }
        };
        Ok(out.stacks().first().map(|s| StackState {
            name: s.stack_name().unwrap_or(name).to_owned(),
            id: s.stack_id().unwrap_or_default().to_owned(),
            status: s
                .stack_status()
                .map(|v| v.as_str().to_owned())
                .unwrap_or_default(),
            reason: s.stack_status_reason().map(str::to_owned),
            parameters: s
                .parameters()
                .iter()
                .filter_map(|p| p.parameter_key().map(str::to_owned))
                .collect(),
            values: s
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.parameter_key()?.to_owned(),
                        p.parameter_value().unwrap_or_default().to_owned(),
                    ))
                })
                .collect(),
            drift: s
                .drift_information()
                .and_then(|d| d.stack_drift_status())
                .map(|d| d.as_str().to_owned()),
            outputs: s
                .outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                .collect(),
        }))
    }

    fn resources(&self, stack: &str) -> CloudResult<Vec<StackResource>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    self.cfn
                        .list_stack_resources()
                        .stack_name(stack)
                        .set_next_token(token)
                        .send(),
                )
                .map_err(|e| fail("ListStackResources", stack, e))?;
            out.extend(
                page.stack_resource_summaries()
                    .iter()
                    .map(|r| StackResource {
                        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
                        physical_id: r.physical_resource_id().map(str::to_owned),
                        kind: r.resource_type().unwrap_or_default().to_owned(),
                    }),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    fn template(&self, stack: &str) -> CloudResult<String> {
        let out = self
            .runtime
            .block_on(
                self.cfn
                    .get_template()
                    .stack_name(stack)
                    .template_stage(t::TemplateStage::Original)
                    .send(),
            )
            .map_err(|e| fail("GetTemplate", stack, e))?;
        Ok(out.template_body().unwrap_or_default().to_owned())
    }

    fn put_object(&self, bucket: &str, key: &str, body: &[u8]) -> CloudResult<()> {
        self.runtime
            .block_on(
                self.s3
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(s3::primitives::ByteStream::from(body.to_vec()))
                    .send(),
            )
            .map(|_| ())
            .map_err(|e| fail("PutObject", &format!("s3://{bucket}/{key}"), e))
    }

    fn object_url(&self, bucket: &str, key: &str) -> String {
        match &self.endpoint_url {
            Some(url) => format!("{}/{bucket}/{key}", url.trim_end_matches('/')),
            None => format!("https://{bucket}.s3.{}.amazonaws.com/{key}", self.region),
        }
    }

    fn create_change_set(&self, r: &ChangeSetRequest) -> CloudResult<String> {
        let mut call = self
            .cfn
            .create_change_set()
            .stack_name(&r.stack_name)
            .change_set_name(&r.name)
            .change_set_type(match r.kind {
                ChangeSetKind::Create => t::ChangeSetType::Create,
                ChangeSetKind::Update => t::ChangeSetType::Update,
            })
            .include_nested_stacks(true)
            .set_role_arn(r.role_arn.clone())
            .description(&r.description);
        call = match &r.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        call = call.set_parameters((!r.parameters.is_empty()).then(|| parameters(&r.parameters)));
        for c in &r.capabilities {
            call = call.capabilities(t::Capability::from(c.as_str()));
        }
        for (k, v) in &r.tags {
            call = call.tags(t::Tag::builder().key(k).value(v).build());
        }
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| fail("CreateChangeSet", &r.stack_name, e))?;
        Ok(out.id().unwrap_or(&r.name).to_owned())
    }

    fn change_set(&self, stack: &str, name_or_id: &str) -> CloudResult<Option<ChangeSet>> {
        let mut cs = ChangeSet::default();
        let mut token = None;
        loop {
            let mut call = self
                .cfn
                .describe_change_set()
                .change_set_name(name_or_id)
                .set_next_token(token);
            // An id names its stack; a name needs it.
            if !name_or_id.starts_with("arn:") {
                call = call.stack_name(stack);
            }
            let page = match self.runtime.block_on(call.send()) {
                Ok(page) => page,
                Err(e) => {
                    let e = fail("DescribeChangeSet", name_or_id, e);
                    return if e.is_not_found() { Ok(None) } else { Err(e) };
                }
            };
            cs.id = page.change_set_id().unwrap_or(name_or_id).to_owned();
            cs.stack_id = page.stack_id().unwrap_or_default().to_owned();
            cs.status = page
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            cs.reason = page.status_reason().map(str::to_owned);
            cs.execution_status = page
                .execution_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            cs.changes.extend(
                page.changes()
                    .iter()
                    .filter_map(|c| c.resource_change())
                    .map(resource_change),
            );
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(Some(cs));
            }
        }
    }

    fn execute_change_set(&self, id: &str) -> CloudResult<()> {
        self.runtime
            .block_on(self.cfn.execute_change_set().change_set_name(id).send())
            .map(|_| ())
            .map_err(|e| fail("ExecuteChangeSet", id, e))
    }

    fn delete_change_set(&self, id: &str) -> CloudResult<()> {
        self.runtime
            .block_on(self.cfn.delete_change_set().change_set_name(id).send())
            .map(|_| ())
            .map_err(|e| fail("DeleteChangeSet", id, e))
    }

    fn delete_stack(&self, name: &str) -> CloudResult<()> {
        self.runtime
            .block_on(self.cfn.delete_stack().stack_name(name).send())
            .map(|_| ())
            .map_err(|e| fail("DeleteStack", name, e))
    }

    fn continue_rollback(&self, stack: &str, skip: &[String]) -> CloudResult<()> {
        self.runtime
            .block_on(
                self.cfn
                    .continue_update_rollback()
                    .stack_name(stack)
                    .set_resources_to_skip((!skip.is_empty()).then(|| skip.to_vec()))
                    .send(),
            )
            .map(|_| ())
            .map_err(|e| fail("ContinueUpdateRollback", stack, e))
    }

    fn events(&self, stack: &str, after: Option<&str>) -> CloudResult<Vec<StackEvent>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    self.cfn
                        .describe_stack_events()
                        .stack_name(stack)
                        .set_next_token(token)
                        .send(),
                )
                .map_err(|e| fail("DescribeStackEvents", stack, e))?;
            for e in page.stack_events() {
                let id = e.event_id().unwrap_or_default();
                if Some(id) == after {
                    return Ok(out);
                }
                out.push(StackEvent {
                    id: id.to_owned(),
                    stack_name: e.stack_name().unwrap_or(stack).to_owned(),
                    logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                    physical_id: e.physical_resource_id().map(str::to_owned),
                    kind: e.resource_type().unwrap_or_default().to_owned(),
                    status: e
                        .resource_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    reason: e.resource_status_reason().map(str::to_owned),
                    timestamp: e
                        .timestamp()
                        .and_then(|t| t.fmt(DateTimeFormat::DateTime).ok())
                        .unwrap_or_default(),
                });
            }
            token = page.next_token().map(str::to_owned);
            // Without a marker, the newest page is all a follower needs.
            if token.is_none() || after.is_none() {
                return Ok(out);
            }
        }
    }

    fn rollout(&self, service_arn: &str) -> CloudResult<Option<Rollout>> {
        let cluster = cluster_of(service_arn);
        let out = self
            .runtime
            .block_on(
                self.ecs
                    .describe_services()
                    .cluster(cluster)
                    .services(service_arn)
                    .send(),
            )
            .map_err(|e| fail("DescribeServices", service_arn, e))?;
        let Some(service) = out.services().first() else {
            return Ok(None);
        };
        let primary = service
            .deployments()
            .iter()
            .find(|d| d.status() == Some("PRIMARY"));
        Ok(Some(match primary {
            Some(d) => Rollout {
                desired: d.desired_count(),
                running: d.running_count(),
                pending: d.pending_count(),
                failed: d.failed_tasks(),
                state: d.rollout_state().map(|s| s.as_str().to_owned()),
                reason: d.rollout_state_reason().map(str::to_owned),
            },
            None => Rollout {
                desired: service.desired_count(),
                running: service.running_count(),
                pending: service.pending_count(),
                ..Rollout::default()
            },
        }))
    }

    fn stopped_tasks(&self, service_arn: &str, n: usize) -> CloudResult<Vec<String>> {
        let cluster = cluster_of(service_arn);
        let name = service_arn.rsplit('/').next().unwrap_or(service_arn);
        let listed = self
            .runtime
            .block_on(
                self.ecs
                    .list_tasks()
                    .cluster(cluster)
                    .service_name(name)
                    .desired_status(ecs::types::DesiredStatus::Stopped)
                    .send(),
            )
            .map_err(|e| fail("ListTasks", service_arn, e))?;
        let arns: Vec<String> = listed.task_arns().iter().take(n).cloned().collect();
        if arns.is_empty() {
            return Ok(Vec::new());
        }
        let described = self
            .runtime
            .block_on(
                self.ecs
                    .describe_tasks()
                    .cluster(cluster)
                    .set_tasks(Some(arns))
                    .send(),
            )
            .map_err(|e| fail("DescribeTasks", service_arn, e))?;
        Ok(described
            .tasks()
            .iter()
            .map(|t| {
                let mut why = t.stopped_reason().unwrap_or("stopped").to_owned();
                for c in t.containers() {
                    if let Some(r) = c.reason() {
                        why.push_str(&format!("; {}: {r}", c.name().unwrap_or("container")));
                    } else if let Some(code) = c.exit_code().filter(|c| *c != 0) {
                        why.push_str(&format!(
                            "; {} exited {code}",
                            c.name().unwrap_or("container")
                        ));
                    }
                }
                why
            })
            .collect())
    }

    fn detect_drift(&self, stack: &str) -> CloudResult<String> {
        let out = self
            .runtime
            .block_on(self.cfn.detect_stack_drift().stack_name(stack).send())
            .map_err(|e| fail("DetectStackDrift", stack, e))?;
        Ok(out
            .stack_drift_detection_id()
            .unwrap_or_default()
            .to_owned())
    }

    fn drift_detection(&self, id: &str) -> CloudResult<DriftDetection> {
        let out = self
            .runtime
            .block_on(
                self.cfn
                    .describe_stack_drift_detection_status()
                    .stack_drift_detection_id(id)
                    .send(),
            )
            .map_err(|e| fail("DescribeStackDriftDetectionStatus", id, e))?;
        Ok(DriftDetection {
            status: out
                .detection_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            drift: out.stack_drift_status().map(|s| s.as_str().to_owned()),
            reason: out.detection_status_reason().map(str::to_owned),
        })
    }

    fn drifts(&self, stack: &str) -> CloudResult<Vec<ResourceDrift>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    self.cfn
                        .describe_stack_resource_drifts()
                        .stack_name(stack)
                        .stack_resource_drift_status_filters(t::StackResourceDriftStatus::Modified)
                        .stack_resource_drift_status_filters(t::StackResourceDriftStatus::Deleted)
                        .set_next_token(token)
                        .send(),
                )
                .map_err(|e| fail("DescribeStackResourceDrifts", stack, e))?;
            out.extend(page.stack_resource_drifts().iter().map(|d| {
                ResourceDrift {
                    logical_id: d.logical_resource_id().unwrap_or_default().to_owned(),
                    kind: d.resource_type().unwrap_or_default().to_owned(),
                    status: d
                        .stack_resource_drift_status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    differences: d
                        .property_differences()
                        .iter()
                        .map(|p| {
                            format!(
                                "{}: {} -> {}",
                                p.property_path().unwrap_or_default(),
                                p.expected_value().unwrap_or("(none)"),
                                p.actual_value().unwrap_or("(none)")
                            )
                        })
                        .collect(),
                }
            }));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// `Parameter`s of a request: a value, or the previous one.
fn parameters(values: &[ParameterValue]) -> Vec<t::Parameter> {
    values
        .iter()
        .map(|p| {
            let b = t::Parameter::builder().parameter_key(&p.key);
            match &p.value {
                Some(v) => b.parameter_value(v).build(),
                None => b.use_previous_value(true).build(),
            }
        })
        .collect()
}

/// `--concurrency` and `--max-failures` as StackSets takes them (see `stacksets::preferences`).
fn preferences(r: &StackSetRequest) -> t::StackSetOperationPreferences {
    t::StackSetOperationPreferences::builder()
        .max_concurrent_count(r.max_concurrent as i32)
        .failure_tolerance_count(r.failure_tolerance as i32)
        .region_concurrency_type(t::RegionConcurrencyType::Parallel)
        .build()
}

impl StackSets for Aws {
    fn stack_set(&self, name: &str) -> CloudResult<Option<DeployedSet>> {
        match self
            .runtime
            .block_on(self.cfn.describe_stack_set().stack_set_name(name).send())
        {
            Ok(out) => Ok(out
                .stack_set()
                .filter(|s| s.status().is_none_or(|s| s.as_str() != "DELETED"))
                .map(|s| DeployedSet {
                    template: s.template_body().unwrap_or_default().to_owned(),
                    parameters: s
                        .parameters()
                        .iter()
                        .filter_map(|p| {
                            Some((
                                p.parameter_key()?.to_owned(),
                                p.parameter_value().unwrap_or_default().to_owned(),
                            ))
                        })
                        .collect(),
                })),
            Err(e) => {
                let e = fail("DescribeStackSet", name, e);
                if e.code.as_deref() == Some("StackSetNotFoundException") || e.is_not_found() {
                    Ok(None)
                } else {
                    Err(e)
                }
            }
        }
    }

    fn get_object(&self, bucket: &str, key: &str) -> CloudResult<Option<String>> {
        let target = format!("s3://{bucket}/{key}");
        let out = match self
            .runtime
            .block_on(self.s3.get_object().bucket(bucket).key(key).send())
        {
            Ok(out) => out,
            Err(e) => {
                let e = fail("GetObject", &target, e);
                return if matches!(e.code.as_deref(), Some("NoSuchKey")) {
                    Ok(None)
                } else {
                    Err(e)
                };
            }
        };
        let bytes = self
            .runtime
            .block_on(out.body.collect())
            .map_err(|e| CloudError::new("GetObject", &target, e.to_string()))?
            .into_bytes();
        Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
    }

    fn create_stack_set(&self, r: &StackSetRequest) -> CloudResult<()> {
        let mut call = self
            .cfn
            .create_stack_set()
            .stack_set_name(&r.name)
            .description(&r.description)
            .set_parameters((!r.parameters.is_empty()).then(|| parameters(&r.parameters)))
            .set_capabilities(Some(
                r.capabilities
                    .iter()
                    .map(|c| t::Capability::from(c.as_str()))
                    .collect(),
            ))
            .set_tags(Some(
                r.tags
                    .iter()
                    .map(|(k, v)| t::Tag::builder().key(k).value(v).build())
                    .collect(),
            ));
        call = match &r.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        if r.service_managed {
            call = call
                .permission_model(t::PermissionModels::ServiceManaged)
                .auto_deployment(
                    t::AutoDeployment::builder()
                        .enabled(true)
                        .retain_stacks_on_account_removal(true)
                        .build(),
                );
        }
        self.runtime
            .block_on(call.send())
            .map(|_| ())
            .map_err(|e| fail("CreateStackSet", &r.name, e))
    }

    fn update_stack_set(&self, r: &StackSetRequest) -> CloudResult<String> {
        let mut call = self
            .cfn
            .update_stack_set()
            .stack_set_name(&r.name)
            .description(&r.description)
            .set_parameters((!r.parameters.is_empty()).then(|| parameters(&r.parameters)))
            .set_capabilities(Some(
                r.capabilities
                    .iter()
                    .map(|c| t::Capability::from(c.as_str()))
                    .collect(),
            ))
            .operation_preferences(preferences(r));
        call = match &r.template {
            TemplateSource::Body(b) => call.template_body(b),
            TemplateSource::Url(u) => call.template_url(u),
        };
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| fail("UpdateStackSet", &r.name, e))?;
        Ok(out.operation_id().unwrap_or_default().to_owned())
    }

    fn create_instances(
        &self,
        r: &StackSetRequest,
        targets: &StackSetTargets,
        regions: &[String],
        overrides: &[ParameterValue],
    ) -> CloudResult<String> {
        let mut call = self
            .cfn
            .create_stack_instances()
            .stack_set_name(&r.name)
            .set_regions(Some(regions.to_vec()))
            .set_parameter_overrides((!overrides.is_empty()).then(|| parameters(overrides)))
            .operation_preferences(preferences(r));
        call = match targets {
            StackSetTargets::Accounts(a) => call.set_accounts(Some(a.clone())),
            StackSetTargets::OrgUnits(u) => call.deployment_targets(
                t::DeploymentTargets::builder()
                    .set_organizational_unit_ids(Some(u.clone()))
                    .build(),
            ),
        };
        let out = self
            .runtime
            .block_on(call.send())
            .map_err(|e| fail("CreateStackInstances", &r.name, e))?;
        Ok(out.operation_id().unwrap_or_default().to_owned())
    }

    fn operation(&self, name: &str, id: &str) -> CloudResult<(String, Option<String>)> {
        let out = self
            .runtime
            .block_on(
                self.cfn
                    .describe_stack_set_operation()
                    .stack_set_name(name)
                    .operation_id(id)
                    .send(),
            )
            .map_err(|e| fail("DescribeStackSetOperation", id, e))?;
        let op = out.stack_set_operation();
        Ok((
            op.and_then(|o| o.status())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            op.and_then(|o| o.status_reason()).map(str::to_owned),
        ))
    }

    fn instances(&self, name: &str) -> CloudResult<Vec<StackInstance>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .runtime
                .block_on(
                    self.cfn
                        .list_stack_instances()
                        .stack_set_name(name)
                        .set_next_token(token)
                        .send(),
                )
                .map_err(|e| fail("ListStackInstances", name, e))?;
            out.extend(page.summaries().iter().map(|i| {
                StackInstance {
                    account: i.account().unwrap_or_default().to_owned(),
                    region: i.region().unwrap_or_default().to_owned(),
                    status: i
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                    detailed: i
                        .stack_instance_status()
                        .and_then(|s| s.detailed_status())
                        .map(|s| s.as_str().to_owned()),
                    reason: i.status_reason().map(str::to_owned),
                }
            }));
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(out);
            }
        }
    }

    fn pause(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The cluster of a service ARN: `arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`.
fn cluster_of(service_arn: &str) -> &str {
    let mut parts = service_arn.rsplit('/');
    parts.next();
    parts.next().unwrap_or("default")
}

fn resource_change(r: &t::ResourceChange) -> ResourceChange {
    ResourceChange {
        action: r
            .action()
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        logical_id: r.logical_resource_id().unwrap_or_default().to_owned(),
        physical_id: r.physical_resource_id().map(str::to_owned),
        kind: r.resource_type().unwrap_or_default().to_owned(),
        replacement: r.replacement().map(|v| v.as_str().to_owned()),
        recreating: r
            .details()
            .iter()
            .filter_map(|d| d.target())
            .filter(|t| {
                t.requires_recreation()
                    .is_some_and(|v| v.as_str() != "Never")
            })
            .filter_map(|t| t.name().map(str::to_owned))
            .collect(),
        nested_change_set: r.change_set_id().map(str::to_owned),
    }
}
