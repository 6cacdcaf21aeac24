//! Launch kit: what the customer's cloud admin needs to launch the product without installing
//! byoa. Stage: after synthesis and deploy's upload plan. `links` builds the console's
//! quick-create links, `publish` lays the templates out under content-addressed keys.
//! `permissions` reads the access template into plain words, `diagram` draws the stack graph
//! as an inline SVG, and `page` renders both, with the launch buttons, into one
//! self-contained HTML page (`blueprints/launch.html.hbs`). All are pure: synthesis output
//! in, text out; the command owns the I/O.

pub mod diagram;
pub mod links;
pub mod page;
pub mod permissions;
pub mod publish;

#[cfg(test)]
pub(crate) mod fixtures {
    use std::path::Path;

    use crate::cfn::emit::Format;
    use crate::synth::Output;

    /// The synthesis of `examples/<example>/byoa.yaml` for `env`, in memory.
    pub fn output(example: &str, env: &str) -> Output {
        output_with(example, env, |spec| spec)
    }

    /// The same, the spec's text edited by `edit` first.
    pub fn output_with(example: &str, env: &str, edit: impl Fn(String) -> String) -> Output {
        let loaded = load(example, env, edit);
        crate::synth::synthesize(&loaded, Format::Yaml, None).expect("example synthesizes")
    }

    fn load(example: &str, env: &str, edit: impl Fn(String) -> String) -> crate::spec::Loaded {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example)
            .join("byoa.yaml");
        let text = edit(std::fs::read_to_string(&path).expect("example spec"));
        crate::spec::load_str(
            Path::new("byoa.yaml"),
            &text,
            Some(env),
            &Default::default(),
        )
        .expect("example loads")
    }

    /// The validated model and the synthesis of the example, as the page takes them.
    pub fn model_and_output(example: &str, env: &str) -> (crate::spec::model::Model, Output) {
        let loaded = load(example, env, |spec| spec);
        let output = crate::synth::synthesize(&loaded, Format::Yaml, None).expect("synthesizes");
        (loaded.model, output)
    }

    /// The access template of `output` as a JSON value.
    pub fn access(output: &Output) -> serde_json::Value {
        let access = output.templates.iter().find(|r| r.stack.module == "access");
        access.expect("an access stack").stack.template.to_value()
    }
}
