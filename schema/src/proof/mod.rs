//! W3C Data Integrity proofs. The project uses one cryptosuite, [`eddsa_jcs_2022`].

pub mod eddsa_jcs_2022;

pub use eddsa_jcs_2022::{
    CRYPTOSUITE, PROOF_PURPOSE, PROOF_TYPE, SecuredDocument, attach_proof, hash_data, proof_config,
    secure_canonical, secure_canonical_bytes, single_proof,
};
