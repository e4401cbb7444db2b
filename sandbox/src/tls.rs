//! TLS for `discord.com` from a test certificate authority, so serenity's own rate limiter
//! (which ignores `HttpBuilder::proxy`) can be pointed at the sandbox.

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// A test CA and a `discord.com` certificate signed by it.
pub struct TestCa {
    /// The CA certificate (DER), for `reqwest::Certificate::from_der`.
    pub ca_der: Vec<u8>,
    config: Arc<rustls::ServerConfig>,
}

impl TestCa {
    pub fn new() -> anyhow::Result<Self> {
        let ca_key = KeyPair::generate().context("CA key")?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).context("CA params")?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "los sandbox test CA");
        let ca_cert = ca_params.self_signed(&ca_key).context("CA certificate")?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf_key = KeyPair::generate().context("leaf key")?;
        let mut leaf_params =
            CertificateParams::new(vec!["discord.com".to_string()]).context("leaf params")?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "discord.com");
        let leaf = leaf_params
            .signed_by(&leaf_key, &issuer)
            .context("leaf certificate")?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca_cert.der().clone()];
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("TLS versions")?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .context("TLS certificate")?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TestCa {
            ca_der: ca_cert.der().to_vec(),
            config: Arc::new(config),
        })
    }
}

/// Serves `router` over TLS on `listener` until the task is aborted.
pub async fn serve(listener: TcpListener, ca: Arc<TestCa>, router: Router) {
    let acceptor = TlsAcceptor::from(ca.config.clone());
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let router = router.clone();
        tokio::spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!("TLS handshake failed: {e}");
                    return;
                }
            };
            let service = TowerToHyperService::new(router);
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .with_upgrades();
            if let Err(e) = conn.await {
                tracing::debug!("TLS connection ended: {e}");
            }
        });
    }
}
