//! What both front door examples share: the command line, the settings and TLS set-up, the
//! audit log on stderr, and the accept loop with its signals (SIGTERM stops, SIGHUP reloads
//! the settings file). The wire protocols live in the examples themselves.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::signal::unix::{SignalKind, signal};
use x509_dbauth::LiveAuthenticator;
use x509_dbauth::tls::{LiveServerConfig, VerifierOptions};

/// The command line both front doors take.
pub struct Args {
    /// The settings file (`--config`), read at start and again on SIGHUP.
    pub config: PathBuf,
    /// The address to listen on (`--listen`); port 0 picks a free port.
    pub listen: SocketAddr,
    /// The server's certificate chain, PEM (`--tls-cert`).
    pub tls_cert: PathBuf,
    /// The server's private key, PEM (`--tls-key`).
    pub tls_key: PathBuf,
}

/// The usage line of a front door named `name`.
fn usage(name: &str) -> String {
    format!(
        "usage: {name} --config <settings.toml> --listen <addr> --tls-cert <pem> --tls-key <pem>"
    )
}

impl Args {
    /// Reads the command line; an error is a message for stderr.
    pub fn parse(name: &str) -> Result<Args, String> {
        let mut config = None;
        let mut listen = None;
        let mut tls_cert = None;
        let mut tls_key = None;
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let slot = match flag.as_str() {
                "--config" => &mut config,
                "--listen" => &mut listen,
                "--tls-cert" => &mut tls_cert,
                "--tls-key" => &mut tls_key,
                "-h" | "--help" => return Err(usage(name)),
                other => return Err(format!("unknown argument {other:?}\n{}", usage(name))),
            };
            let value = args
                .next()
                .ok_or_else(|| format!("{flag} needs a value\n{}", usage(name)))?;
            *slot = Some(value);
        }
        let need = |v: Option<String>, flag: &str| {
            v.ok_or_else(|| format!("{flag} is required\n{}", usage(name)))
        };
        let listen = need(listen, "--listen")?;
        Ok(Args {
            config: need(config, "--config")?.into(),
            listen: listen
                .parse()
                .map_err(|e| format!("--listen {listen:?}: {e} (expected e.g. 127.0.0.1:27017)"))?,
            tls_cert: need(tls_cert, "--tls-cert")?.into(),
            tls_key: need(tls_key, "--tls-key")?.into(),
        })
    }
}

/// Audit events (target `x509_dbauth::audit`) and settings events go to stderr, one line
/// each, at INFO and above.
pub fn init_log() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

/// The running server's shared state.
pub struct Server {
    /// The live settings (phase 2 reads them; SIGHUP replaces them).
    pub live: Arc<LiveAuthenticator>,
    /// The rustls configuration, rebuilt after a settings change (new CA hints).
    pub tls: Arc<LiveServerConfig>,
    config: PathBuf,
    listener: TcpListener,
}

impl Server {
    /// Loads the settings and the server certificate, and binds the listener.
    pub async fn start(args: &Args) -> Result<Server, String> {
        let live = LiveAuthenticator::from_file(&args.config)
            .map_err(|e| format!("{}: {e}", args.config.display()))?;
        let live = Arc::new(live);
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&args.tls_cert)
            .and_then(|certs| certs.collect::<Result<_, _>>())
            .map_err(|e| format!("{}: {e}", args.tls_cert.display()))?;
        let key = PrivateKeyDer::from_pem_file(&args.tls_key)
            .map_err(|e| format!("{}: {e}", args.tls_key.display()))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = LiveServerConfig::new(
            Arc::clone(&live),
            VerifierOptions::default(),
            move |verifier| {
                ServerConfig::builder_with_provider(Arc::clone(&provider))
                    .with_safe_default_protocol_versions()?
                    .with_client_cert_verifier(verifier)
                    .with_single_cert(chain.clone(), key.clone_key())
            },
        )
        .map_err(|e| format!("TLS configuration: {e}"))?;
        let listener = TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("--listen {}: {e}", args.listen))?;
        Ok(Server {
            live,
            tls: Arc::new(tls),
            config: args.config.clone(),
            listener,
        })
    }

    /// Prints `listening on <addr>` (the bound address, so port 0 shows the real port), then
    /// hands each accepted connection to `serve` on its own task until SIGTERM.
    pub async fn run<F, Fut>(self, serve: F) -> Result<(), String>
    where
        F: Fn(TcpStream, SocketAddr) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut term = signal(SignalKind::terminate()).map_err(|e| format!("SIGTERM: {e}"))?;
        let mut hup = signal(SignalKind::hangup()).map_err(|e| format!("SIGHUP: {e}"))?;
        let addr = self
            .listener
            .local_addr()
            .map_err(|e| format!("local address: {e}"))?;
        {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on {addr}").map_err(|e| format!("stdout: {e}"))?;
            out.flush().map_err(|e| format!("stdout: {e}"))?;
        }
        loop {
            tokio::select! {
                _ = term.recv() => {
                    tracing::info!("SIGTERM: stopping");
                    return Ok(());
                }
                _ = hup.recv() => self.reload(),
                accepted = self.listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        tokio::spawn(serve(stream, peer));
                    }
                    Err(e) => {
                        // Out of file descriptors, say: wait a little rather than spin.
                        tracing::warn!("accept: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    }
                },
            }
        }
    }

    /// SIGHUP: the settings file again. A file that fails leaves the running settings.
    fn reload(&self) {
        match self.live.reload_file(&self.config) {
            Ok(change) => tracing::info!(
                generation = change.generation,
                directory = ?change.directory,
                warnings = change.warnings.len(),
                "SIGHUP: reloaded {}",
                self.config.display()
            ),
            Err(e) => tracing::error!(
                kind = e.kind(),
                "SIGHUP: {} not reloaded, the running settings stay: {e}",
                self.config.display()
            ),
        }
    }
}

/// Runs a front door: parses the command line, starts, serves until SIGTERM. Exit code 0 on
/// SIGTERM, 2 on a bad command line, 1 when the server cannot start.
pub fn main_with<F, Fut>(name: &str, serve: impl FnOnce(&Server) -> F) -> std::process::ExitCode
where
    F: Fn(TcpStream, SocketAddr) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let args = match Args::parse(name) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    init_log();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{name}: tokio runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let server = Server::start(&args).await?;
        let handler = serve(&server);
        server.run(handler).await
    });
    // Connections still open are dropped with the runtime.
    runtime.shutdown_background();
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{name}: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
