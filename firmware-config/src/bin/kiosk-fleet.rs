//! `kiosk-fleet`: set up kiosks. Runs on the hub machine, against the hub's
//! data folder: registers a kiosk (a fresh random secret, a station number)
//! and writes everything the kiosk needs into one folder to copy onto it;
//! lists, rotates and revokes; checks a `kiosk.toml`; writes the password
//! and ACL files for a Mosquitto broker from the same registry; and makes
//! the county CA and the broker's TLS certificate.

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};
use firmware_config::DeviceConfig;
use hub::registry;
use hub::store::{self, DataDir, writer::Writer};
use hub::tls::TlsFiles;
use protocol::KioskId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(version, about = "Provision kiosks: credentials, configuration files, broker files")]
struct Cli {
    /// The hub's data folder (holds the kiosk registry and the hub key).
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Showroom,
    Station,
    Bigscreen,
}

#[derive(Subcommand)]
enum Command {
    /// Register a kiosk and write `<out>/<id>/`: kiosk.toml, its secret and
    /// the hub key, ready to copy to the kiosk's /etc/kiosk.
    New {
        id: KioskId,
        #[arg(long, value_enum)]
        role: Role,
        /// Rollout group: the village (`shinan-huangpao`), or `showroom`.
        #[arg(long)]
        group: String,
        /// The broker as kiosks reach it: mqtt://host:1883 or mqtts://host:8883.
        #[arg(long)]
        hub: String,
        /// The county CA certificate for mqtts:// (copied beside the config)
        /// [default: <data>/tls/ca.pem, made by `kiosk-fleet tls`].
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Staff PIN (4–8 digits); without it a random 6-digit PIN is made
        /// and printed once.
        #[arg(long)]
        pin: Option<String>,
        #[arg(long, default_value = "zh")]
        language: String,
        /// Where the kiosk keeps its data, on the kiosk.
        #[arg(long, default_value = "/var/lib/kiosk")]
        data_dir: String,
        #[arg(long, default_value = "kiosks")]
        out: PathBuf,
    },
    /// Every kiosk registered, revoked ones marked.
    List,
    /// A new secret for a kiosk (the old one stops working at once); the new
    /// secret is written to `<out>/<id>/secret`.
    RotateSecret {
        id: KioskId,
        #[arg(long, default_value = "kiosks")]
        out: PathBuf,
    },
    /// Refuse a kiosk from now on (stolen, retired). Regenerate the
    /// Mosquitto files afterwards when an external broker is used.
    Revoke { id: KioskId },
    /// Check a kiosk.toml: the first problem with its file, line and field.
    Check { file: PathBuf },
    /// Write `passwd` (mosquitto_passwd format) and `acl` for Mosquitto into
    /// a folder: the hub, the data centre and every active kiosk, each kiosk
    /// confined to its own topics (and `dc.password` for the data centre;
    /// and the broker certificate, when `tls` has made one).
    Mosquitto {
        #[arg(long)]
        out: PathBuf,
    },
    /// Make the county CA (once; never replaced) and a broker certificate
    /// for the hosts kiosks dial, in <data>/tls/: ca.pem goes to every
    /// kiosk, server.pem and server.key to the broker. Run again to re-issue
    /// the broker certificate (new names, or before it expires): the hub
    /// picks it up without a restart.
    Tls {
        /// A host name or IP address kiosks use in mqtts://…; repeat for each.
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
        /// The county named in the CA certificate.
        #[arg(long, default_value = "Tongcheng")]
        county: String,
        /// How long the broker certificate is valid, in days.
        #[arg(long, default_value_t = 3650)]
        days: u32,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kiosk-fleet: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Check { file } => {
            return match DeviceConfig::load(&file) {
                Ok(c) => {
                    println!(
                        "{}: kiosk {} ({:?}, group {}, station {:04}), hub {}, {} serial device(s)",
                        file.display(),
                        c.id,
                        c.role,
                        c.group,
                        c.station_no,
                        c.hub.url,
                        c.serial.len()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::FAILURE)
                }
            };
        }
        Command::New { id, role, group, hub, ca, pin, language, data_dir, out } => {
            registry::check_group(&group).map_err(anyhow::Error::msg)?;
            // Everything that can be wrong is found before anything is registered.
            let url = protocol::BrokerUrl::parse(&hub).map_err(|e| anyhow::anyhow!("--hub: {e}"))?;
            let county_ca = TlsFiles::in_data_dir(&cli.data).ca_cert();
            let ca = match ca {
                Some(ca) => Some(ca),
                None if url.tls && county_ca.exists() => Some(county_ca),
                None if url.tls => bail!(
                    "--hub {hub} is TLS: make the county CA with `kiosk-fleet tls --host <hub name>`, or give one with --ca"
                ),
                None => None,
            };
            if let Some(ca) = &ca {
                hub::tls::client_config(ca).with_context(|| "--ca".to_owned())?;
            }
            if !matches!(language.as_str(), "zh" | "en") {
                bail!("--language must be zh or en");
            }
            let pin = match pin {
                Some(p) if (4..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => (p, false),
                Some(_) => bail!("--pin must be 4 to 8 digits"),
                None => (format!("{:06}", rand::random::<u32>() % 1_000_000), true),
            };
            let dir = out.join(id.as_str());
            if dir.join("kiosk.toml").exists() {
                bail!(
                    "{} exists: this kiosk was set up before (rotate-secret gives it a new secret)",
                    dir.display()
                );
            }
            let data = DataDir::new(&cli.data)?;
            let hub_key = registry::hub_key(&data).context("the hub key")?;
            let writer = Writer::start(&data)?;
            let known = registry::list(&store::open_read(&data)?)?;
            if known.iter().any(|k| k.kid == id.as_str() && k.revoked_at.is_none()) {
                bail!(
                    "kiosk {id} is registered already: `rotate-secret` gives it a new secret, `revoke` retires it"
                );
            }
            let (k, g) = (id.clone(), group.clone());
            let reg = writer.exec_blocking(move |c| registry::register(c, &k, &g))?;
            let text = kiosk_toml(&KioskFile {
                id: &id,
                role,
                group: &group,
                station_no: reg.station_no,
                language: &language,
                data_dir: &data_dir,
                hub: &hub,
                ca: ca.is_some(),
                pin_hash: &firmware_config::pin::hash(&pin.0, &rand::random::<[u8; 8]>()),
            });
            std::fs::create_dir_all(&dir)?;
            write_private(&dir.join("secret"), &hex::encode(&reg.secret))?;
            write_private(&dir.join("hub.key"), &hex::encode(&hub_key))?;
            if let Some(ca) = &ca {
                std::fs::copy(ca, dir.join("ca.pem")).with_context(|| format!("copying {}", ca.display()))?;
            }
            std::fs::write(dir.join("kiosk.toml"), &text)?;
            // What was written must load, or nothing is handed out.
            if let Err(e) = DeviceConfig::load(&dir.join("kiosk.toml")) {
                bail!("the written configuration does not load: {e}");
            }
            println!("kiosk {id}: station number {:04}, files in {}", reg.station_no, dir.display());
            if pin.1 {
                println!("staff PIN (shown once, write it down for the keeper): {}", pin.0);
            }
        }
        Command::List => {
            let conn = store::open_read(&DataDir::new(&cli.data)?)?;
            for k in registry::list(&conn)? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{:<32} {:<20} {:04}  {state}", k.kid, k.group, k.station_no);
            }
        }
        Command::RotateSecret { id, out } => {
            let data = DataDir::new(&cli.data)?;
            let conn = store::open_read(&data)?;
            let Some(k) = registry::list(&conn)?.into_iter().find(|k| k.kid == id.as_str()) else {
                bail!("no kiosk {id} is registered");
            };
            if k.revoked_at.is_some() {
                bail!("kiosk {id} is revoked; set it up again with `new`");
            }
            let writer = Writer::start(&data)?;
            let (kid, group) = (id.clone(), k.group);
            let reg = writer.exec_blocking(move |c| registry::register(c, &kid, &group))?;
            let dir = out.join(id.as_str());
            std::fs::create_dir_all(&dir)?;
            write_private(&dir.join("secret"), &hex::encode(&reg.secret))?;
            println!("kiosk {id}: new secret in {}; copy it to the kiosk", dir.join("secret").display());
        }
        Command::Revoke { id } => {
            let writer = Writer::start(&DataDir::new(&cli.data)?)?;
            let kid = id.clone();
            if !writer.exec_blocking(move |c| registry::revoke(c, &kid))? {
                bail!("kiosk {id} is not registered or already revoked");
            }
            println!("kiosk {id} revoked");
        }
        Command::Tls { hosts, county, days } => make_tls(&cli.data, &hosts, &county, days)?,
        Command::Mosquitto { out } => {
            let data = DataDir::new(&cli.data)?;
            let hub_key = registry::hub_key(&data)?;
            let conn = store::open_read(&data)?;
            let mut kiosks: Vec<(KioskId, Vec<u8>)> =
                registry::all(&conn)?.into_values().map(|e| (e.kid, e.secret)).collect();
            kiosks.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
            std::fs::create_dir_all(&out)?;
            write_file(
                &out.join("passwd"),
                &firmware_config::mosquitto::password_file(&hub_key, &kiosks),
                // Group-readable: the broker reads it as its own user (chgrp mosquitto).
                0o640,
            )?;
            let ids: Vec<KioskId> = kiosks.iter().map(|(k, _)| k.clone()).collect();
            std::fs::write(out.join("acl"), firmware_config::mosquitto::acl_file(&ids))?;
            // For the data centre's subscriber (user kh-dc), not for the broker.
            write_private(&out.join("dc.password"), &protocol::credentials::dc_password(&hub_key))?;
            println!(
                "{} kiosk(s): {} and {} written (password_file and acl_file in mosquitto.conf); \
                 the data centre logs in as {} with the password in {}",
                ids.len(),
                out.join("passwd").display(),
                out.join("acl").display(),
                protocol::credentials::DC_USER,
                out.join("dc.password").display()
            );
            let tls = TlsFiles::in_data_dir(&cli.data);
            if tls.server_cert().exists() {
                let (cert, key) = (out.join("server.pem"), out.join("server.key"));
                std::fs::copy(tls.server_cert(), &cert)?;
                let key_pem = std::fs::read_to_string(tls.server_key()).context("the broker key")?;
                // The broker reads it as its own user (chgrp mosquitto).
                write_file(&key, &key_pem, 0o640)?;
                println!(
                    "TLS: add to mosquitto.conf\n  listener 8883\n  certfile {}\n  keyfile {}",
                    cert.display(),
                    key.display()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The county CA (made once) and a broker certificate for `hosts`.
fn make_tls(data: &Path, hosts: &[String], county: &str, days: u32) -> anyhow::Result<()> {
    use firmware_config::county_ca::{self, Issued};
    let files = TlsFiles::in_data_dir(data);
    std::fs::create_dir_all(&files.dir).with_context(|| format!("creating {}", files.dir.display()))?;
    let ca = if files.ca_cert().exists() {
        let read =
            |p: PathBuf| std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()));
        Issued { cert_pem: read(files.ca_cert())?, key_pem: read(files.ca_key())? }
    } else {
        let ca = county_ca::new_ca(county)?;
        // The key first: a certificate without its key would block a retry.
        write_private(&files.ca_key(), &ca.key_pem)?;
        write_file(&files.ca_cert(), &ca.cert_pem, 0o644)?;
        println!(
            "county CA made: {} (its key {} stays on this machine)",
            files.ca_cert().display(),
            files.ca_key().display()
        );
        ca
    };
    let server = county_ca::server_cert(&ca, hosts, days)?;
    write_private(&files.server_key(), &server.key_pem)?;
    write_file(&files.server_cert(), &server.cert_pem, 0o644)?;
    // Loaded back as the broker will load them, or nothing is handed out.
    hub::tls::server_config(&files.server_cert(), &files.server_key()).context("the written certificate")?;
    println!(
        "broker certificate for {} (valid {days} days): {} and {}",
        hosts.join(", "),
        files.server_cert().display(),
        files.server_key().display()
    );
    let ca_der = hub::tls::load_certs(&files.ca_cert())?;
    println!("CA fingerprint (SHA-256): {}", county_ca::fingerprint(&ca_der[0]));
    println!(
        "the hub's TLS listener presents a re-issued certificate from the next connection on; \
         Mosquitto needs `kiosk-fleet mosquitto` again and a restart"
    );
    Ok(())
}

struct KioskFile<'a> {
    id: &'a KioskId,
    role: Role,
    group: &'a str,
    station_no: u16,
    language: &'a str,
    data_dir: &'a str,
    hub: &'a str,
    ca: bool,
    pin_hash: &'a str,
}

fn kiosk_toml(f: &KioskFile) -> String {
    let role = match f.role {
        Role::Showroom => "showroom",
        Role::Station => "station",
        Role::Bigscreen => "bigscreen",
    };
    let ca = if f.ca { "ca_file = \"ca.pem\"\n" } else { "" };
    format!(
        "# Written by `kiosk-fleet new`; checked with `kiosk-fleet check`.\n\
         id = \"{}\"\nrole = \"{role}\"\ngroup = \"{}\"\nstation_no = {}\nlanguage = \"{}\"\ndata_dir = \"{}\"\n\n\
         [hub]\naddress = \"{}\"\nsecret_file = \"secret\"\nhub_key_file = \"hub.key\"\n{ca}\n\
         [staff]\npin_hash = \"{}\"\n\n\
         # Serial devices by their stable paths (ls /dev/serial/by-id/), e.g.\n\
         # [[serial]]\n# path = \"/dev/serial/by-id/usb-…-if00\"\n# kind = \"scanner\"   # scanner | scale | printer\n",
        f.id, f.group, f.station_no, f.language, f.data_dir, f.hub, f.pin_hash
    )
}

/// Secrets are readable by their owner only.
fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    write_file(path, text, 0o600)
}

/// Write `text` with this Unix mode (also when the file was there before).
fn write_file(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    let mut file = {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(path);
        f.and_then(|f| f.set_permissions(std::fs::Permissions::from_mode(mode)).map(|()| f))
    }
    .with_context(|| format!("writing {}", path.display()))?;
    #[cfg(not(unix))]
    let mut file = {
        let _ = mode;
        std::fs::File::create(path)?
    };
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    Ok(())
}
