//! Where the launch kit's templates live: content-addressed keys in a template bucket.
//!
//! Input: one environment's synthesis. Output: the objects to put and the URLs the links
//! name. Pure: `commands::launch` uploads (with `--bucket`) or only computes (with
//! `--base-url`, for templates hosted elsewhere).
//!
//! Keys carry a hash of their content: `<product>/<env>/access/<sha>/access.yaml`, the root the
//! same, and the nested templates in one folder named by the hash of the set
//! (`templates/<set>/`), the `ArtifactBaseUrl` the root stack reads them from. A key is never
//! written with other bytes, so a link sent last month launches what it launched then.

use crate::deploy::plan::{Upload, nested, set_hash};
use crate::hash::sha256_hex;
use crate::naming;
use crate::synth::{Output, Rendered};

/// The objects of one environment and the URLs of what the links launch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub objects: Vec<Upload>,
    pub access_key: String,
    pub root_key: String,
    /// The folder of the nested templates: the root's `ArtifactBaseUrl`.
    pub nested_prefix: String,
}

/// Lays `output` out under content-addressed keys.
pub fn layout(output: &Output) -> Layout {
    let m = &output.manifest;
    let base = format!("{}/{}", m.product, m.environment);
    let own = |r: &Rendered, kind: &str| {
        format!(
            "{base}/{kind}/{}/{}",
            &sha256_hex(r.body.as_bytes())[..16],
            r.file
        )
    };
    let modules = nested(output);
    let nested_prefix = format!("{base}/templates/{}", set_hash(&modules));
    let mut objects: Vec<Upload> = modules
        .iter()
        .map(|r| Upload {
            key: format!("{nested_prefix}/{}", r.file),
            body: r.body.clone(),
        })
        .collect();
    let mut key_of = |module: &str| {
        let r = output
            .templates
            .iter()
            .find(|r| r.stack.module == module)
            .expect("every synthesis has an access and a root stack");
        let key = own(r, module);
        objects.push(Upload {
            key: key.clone(),
            body: r.body.clone(),
        });
        key
    };
    let access_key = key_of(naming::ACCESS);
    let root_key = key_of(naming::ROOT);
    Layout {
        objects,
        access_key,
        root_key,
        nested_prefix,
    }
}
