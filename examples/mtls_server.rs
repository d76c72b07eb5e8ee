//! A TLS server that authenticates each client by its certificate and answers in JSON lines.
//!
//! ```text
//! cargo run --example mtls_server --features rustls -- \
//!     --config examples/settings.toml --listen 127.0.0.1:8443 \
//!     --tls-cert examples/pki/server-chain.pem --tls-key examples/pki/server.key
//! ```
//!
//! Each connection: the TLS handshake runs phase 1 in the crate's rustls adapter (chain,
//! CertificateVerify, TLS alerts); then the server takes the verified client over from the
//! adapter and runs phase 2 (`authenticate`), and writes one JSON line: the principal and
//! roles, or the refusal's kind and the client-safe text. The connection stays open; each line
//! the client sends asks again under the settings current then (`{"decision":...}` again), so
//! a settings change shows on open connections at their next request, without dropping them.
//! SIGHUP reloads the settings file; SIGTERM (or Ctrl-C) stops the server. Audit events go to
//! standard error.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use tokio_rustls::TlsAcceptor;
use x509_dbauth::tls::{ClientAuth, LiveServerConfig, VerifierOptions};
use x509_dbauth::{AuthError, LiveAuthenticator, Principal};

struct Args {
    config: PathBuf,
    listen: String,
    tls_cert: PathBuf,
    tls_key: PathBuf,
    optional_client_cert: bool,
}

fn args() -> Result<Args, String> {
    let mut config = None;
    let mut listen = "127.0.0.1:8443".to_owned();
    let mut tls_cert = None;
    let mut tls_key = None;
    let mut optional_client_cert = false;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--config" => config = Some(PathBuf::from(value()?)),
            "--listen" => listen = value()?,
            "--tls-cert" => tls_cert = Some(PathBuf::from(value()?)),
            "--tls-key" => tls_key = Some(PathBuf::from(value()?)),
            "--optional-client-cert" => optional_client_cert = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(Args {
        config: config.ok_or("--config is required")?,
        listen,
        tls_cert: tls_cert.ok_or("--tls-cert is required")?,
        tls_key: tls_key.ok_or("--tls-key is required")?,
        optional_client_cert,
    })
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_target(true)
        .init();
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("mtls_server: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mtls_server: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mtls_server: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let live = Arc::new(LiveAuthenticator::from_file(&args.config)?);
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(&args.tls_cert)?.collect::<Result<_, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&args.tls_key)?;
    let options = VerifierOptions::default().client_auth(if args.optional_client_cert {
        ClientAuth::Optional
    } else {
        ClientAuth::Required
    });
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = Arc::new(LiveServerConfig::new(
        Arc::clone(&live),
        options,
        move |verifier| {
            ServerConfig::builder_with_provider(Arc::clone(&provider))
                .with_safe_default_protocol_versions()?
                .with_client_cert_verifier(verifier)
                .with_single_cert(chain.clone(), key.clone_key())
        },
    )?);
    let listener = TcpListener::bind(&args.listen).await?;
    println!("listening on {}", listener.local_addr()?);
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, peer) = accepted?;
                let tls = Arc::clone(&tls);
                tokio::spawn(async move {
                    if let Err(e) = connection(socket, peer, tls).await {
                        tracing::info!(%peer, error = %e, "connection closed");
                    }
                });
            }
            _ = hangup.recv() => match live.reload_file(&args.config) {
                Ok(change) => tracing::info!(
                    generation = change.generation,
                    directory = ?change.directory,
                    "settings reloaded"
                ),
                Err(e) => tracing::error!(error = %e, "settings not reloaded; the previous ones stay"),
            },
            _ = terminate.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    // Standard output may be closed by now; stopping is not an error then.
    let _ = writeln!(std::io::stdout(), "stopped");
    Ok(())
}

async fn connection(
    socket: TcpStream,
    peer: SocketAddr,
    tls: Arc<LiveServerConfig>,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    // Phase 1 runs inside the handshake; a refusal sends its TLS alert and ends here.
    let stream = TlsAcceptor::from(tls.current()).accept(socket).await?;
    // The hand-over: the verified client, from the verified-chain cache.
    let client = tls.verified_client(stream.get_ref().1.peer_certificates());
    let (reader, mut writer) = tokio::io::split(stream);
    let mut lines = BufReader::new(reader).lines();
    loop {
        // Phase 2 under the settings current now (a client verified under older settings
        // is verified again under these first).
        let answer = match &client {
            Ok(client) => json_line(&tls.live().authenticate_from(client, None, Some(peer)).await),
            Err(e) => json_line(&Err(e.clone())),
        };
        writer.write_all(answer.as_bytes()).await?;
        writer.flush().await?;
        if lines.next_line().await?.is_none() {
            return Ok(());
        }
    }
}

fn json_line(outcome: &Result<Principal, AuthError>) -> String {
    let value = match outcome {
        Ok(p) => serde_json::json!({
            "decision": "allow",
            "user": p.user(),
            "kind": p.kind().as_str(),
            "roles": p.role_names(),
        }),
        Err(e) => serde_json::json!({
            "decision": "deny",
            "kind": e.kind(),
            "message": e.client_message(),
        }),
    };
    format!("{value}\n")
}
