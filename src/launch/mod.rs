//! Launch kit: what the customer's cloud admin needs to launch the product without installing
//! byoa. Stage: after synthesis and deploy's upload plan. `links` builds the console's
//! quick-create links, `publish` lays the templates out under content-addressed keys.

pub mod links;
pub mod publish;
