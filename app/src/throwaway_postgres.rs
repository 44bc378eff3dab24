//! A throwaway PostgreSQL server for the hub's tests and `ecolens bench --suite hub`: a
//! cluster made by Debian's `initdb` in a folder of the caller's, started with `pg_ctl` on a
//! free port of 127.0.0.1 (password authentication, no TCP from elsewhere), stopped when
//! dropped. Root may not run the server, so as root it runs as the `postgres` user the
//! package creates. Nothing of ecolens's runtime uses it.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result, bail};

/// The superuser's password of every throwaway cluster (it listens on loopback only and
/// lives as long as a test).
const ADMIN_PASSWORD: &str = "adminpw42";
/// The owner login of hub databases, as README sets one up: may create roles, no superuser.
const OWNER_PASSWORD: &str = "ownerpw42";

/// A running throwaway cluster.
#[derive(Debug)]
pub struct ThrowawayPostgres {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    run_as: Option<&'static str>,
}

/// The newest server binaries Debian's `postgresql` package installed.
pub fn server_binaries() -> Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dir| {
            dir.filter_map(std::result::Result::ok)
                .map(|e| e.path().join("bin"))
                .filter(|p| p.join("initdb").exists())
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().context(
        "PostgreSQL's server binaries (initdb, pg_ctl) are not in /usr/lib/postgresql/*/bin: install Debian's `postgresql` package (apt-get install postgresql)",
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl ThrowawayPostgres {
    /// Makes a cluster in `dir` (created, and handed to the `postgres` user when running as
    /// root) and starts it.
    pub fn start(dir: &Path) -> Result<Self> {
        let bin = server_binaries()?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let run_as = is_root().then_some("postgres");
        let password_file = dir.join("pw");
        std::fs::write(&password_file, ADMIN_PASSWORD)
            .with_context(|| format!("cannot write {}", password_file.display()))?;
        if let Some(user) = run_as {
            let status = Command::new("chown")
                .args(["-R", &format!("{user}:")])
                .arg(dir)
                .status()
                .context("cannot run chown")?;
            if !status.success() {
                bail!("chown of {} to {user} failed", dir.display());
            }
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("cannot find a free port")?
            .port();
        let server = Self {
            dir: dir.to_owned(),
            bin,
            port,
            run_as,
        };
        let data = server.data();
        let out = server.tool(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-U",
                "admin",
                "--pwfile",
                &password_file.display().to_string(),
                "--auth-local=scram-sha-256",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-instructions",
            ],
        )?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        server.start_server()?;
        Ok(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// The server's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The folder of the server binaries (`pg_dump`, `pg_restore` …).
    pub fn bin(&self) -> &Path {
        &self.bin
    }

    fn tool(&self, name: &str, args: &[&str]) -> Result<Output> {
        let program = self.bin.join(name);
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command
            .args(args)
            .current_dir(&self.dir)
            .output()
            .with_context(|| format!("cannot run {}", program.display()))
    }

    /// Starts (or restarts) the server.
    pub fn start_server(&self) -> Result<()> {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log");
        let out = self.tool(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-o",
                &options,
                "-l",
                &log.display().to_string(),
                "-w",
                "start",
            ],
        )?;
        if !out.status.success() {
            bail!(
                "pg_ctl start failed: {}{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Stops the server at once, as a crash or a pulled cable would.
    pub fn stop_server(&self) {
        let _ = self.tool(
            "pg_ctl",
            &[
                "-D",
                &self.data().display().to_string(),
                "-m",
                "immediate",
                "stop",
            ],
        );
    }

    /// Turns TLS on with a self-signed certificate (as Debian's own "snakeoil" one is) and
    /// makes every login but the superuser and the owner connect over TLS, then restarts.
    pub fn require_tls(&self) -> Result<()> {
        let data = self.data();
        let (cert, key) = (data.join("server.crt"), data.join("server.key"));
        let out = Command::new("openssl")
            .args([
                "req",
                "-new",
                "-x509",
                "-days",
                "2",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
            ])
            .arg("-out")
            .arg(&cert)
            .arg("-keyout")
            .arg(&key)
            .output()
            .context("cannot run openssl")?;
        if !out.status.success() {
            bail!("openssl: {}", String::from_utf8_lossy(&out.stderr));
        }
        let hba = data.join("pg_hba.conf");
        let old = std::fs::read_to_string(&hba).context("cannot read pg_hba.conf")?;
        let rules = "hostssl all all 127.0.0.1/32 scram-sha-256\n\
                     hostnossl all admin 127.0.0.1/32 scram-sha-256\n\
                     hostnossl all ecolens_owner 127.0.0.1/32 scram-sha-256\n\
                     hostnossl all all 127.0.0.1/32 reject\n";
        std::fs::write(&hba, format!("{rules}{old}")).context("cannot write pg_hba.conf")?;
        std::fs::write(
            data.join("postgresql.auto.conf"),
            "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n",
        )
        .context("cannot write postgresql.auto.conf")?;
        if let Some(user) = self.run_as {
            Command::new("chown")
                .arg(format!("{user}:"))
                .args([&cert, &key, &hba, &data.join("postgresql.auto.conf")])
                .status()
                .context("cannot run chown")?;
        }
        Command::new("chmod")
            .arg("600")
            .arg(&key)
            .status()
            .context("cannot run chmod")?;
        self.stop_server();
        self.start_server()
    }

    /// The superuser's URL for a database.
    pub fn admin_url(&self, db: &str) -> String {
        format!(
            "postgres://admin:{ADMIN_PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// The owner's URL for a database made by [`Self::create_database`].
    pub fn owner_url(&self, db: &str) -> String {
        format!(
            "postgres://ecolens_owner:{OWNER_PASSWORD}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// Creates a database owned by `ecolens_owner` (a login that may create roles but is no
    /// superuser, as README sets one up); returns the owner's URL for it.
    pub fn create_database(&self, db: &str) -> Result<String> {
        let admin = self.admin_url("postgres");
        let exists = psql(
            &admin,
            "SELECT 1 FROM pg_roles WHERE rolname = 'ecolens_owner'",
        )?;
        if String::from_utf8_lossy(&exists.stdout).trim().is_empty() {
            let out = psql(
                &admin,
                &format!("CREATE ROLE ecolens_owner LOGIN CREATEROLE PASSWORD '{OWNER_PASSWORD}'"),
            )?;
            if !out.status.success() {
                bail!("{}", String::from_utf8_lossy(&out.stderr));
            }
        }
        let out = psql(&admin, &format!("CREATE DATABASE {db} OWNER ecolens_owner"))?;
        if !out.status.success() {
            bail!("{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(self.owner_url(db))
    }
}

impl Drop for ThrowawayPostgres {
    fn drop(&mut self) {
        self.stop_server();
    }
}

/// Runs SQL through `psql` with a connection string (unaligned, tuples only, stop on error).
pub fn psql(url: &str, sql: &str) -> Result<Output> {
    Command::new("psql")
        .args([url, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .context("cannot run psql (Debian's postgresql-client)")
}
