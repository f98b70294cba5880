//! `hub fleet`: set up kiosks, on the hub machine against its data folder.
//! One way to register a kiosk (`new`, which writes the folder to copy onto
//! it), rotate its secret, revoke it, check a `kiosk.toml`, write the files
//! an external Mosquitto needs from the same registry, and make the county
//! CA and the broker's TLS certificate.

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use firmware_config::{DeviceConfig, Language};
use hub::fleet::county_ca::TlsFiles;
use hub::fleet::provision::{self, NewKiosk, write_file};
use hub::fleet::registry;
use hub::store::{self, DataDir, writer::Writer};
use protocol::KioskId;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct FleetArgs {
    /// The hub's data folder (holds the kiosk registry and the hub key).
    #[arg(long, default_value = "hub-data", global = true)]
    data: PathBuf,
    #[command(subcommand)]
    command: FleetCommand,
}

#[derive(Clone, Copy, ValueEnum)]
enum Role {
    Showroom,
    Station,
    Bigscreen,
}

#[derive(Subcommand)]
enum FleetCommand {
    /// Make the county's release key (once): the private half to --out
    /// (0600; keep it offline, or on the hub), the public half to
    /// `<data>/release.pub`, from where `hub fleet new` puts it in every
    /// kiosk.toml.
    ReleaseKey {
        #[arg(long)]
        out: PathBuf,
        /// Replace an existing key (every kiosk then needs the new public half).
        #[arg(long)]
        rotate: bool,
    },
    /// Register a kiosk and write `<out>/<id>/`: kiosk.toml, its secret and
    /// the hub key, ready to copy to the kiosk's /etc/kiosk.
    New {
        id: KioskId,
        #[arg(long, value_enum)]
        role: Role,
        /// Rollout group: the village (`shinan-huangpao`), or `showroom`.
        #[arg(long)]
        group: String,
        /// The town it stands in: a town of the catalog's towns.csv (id or
        /// Chinese name), where the big screen's map shows it.
        #[arg(long)]
        town: Option<String>,
        /// The broker as kiosks reach it: mqtt://host:1883 or mqtts://host:8883.
        #[arg(long)]
        hub: String,
        /// The county CA certificate for mqtts:// (copied beside the config)
        /// [default: <data>/tls/ca.pem, made by `hub fleet tls`].
        #[arg(long)]
        ca: Option<PathBuf>,
        /// Staff PIN (4–8 digits); without it a random 6-digit PIN is made
        /// and printed once.
        #[arg(long)]
        pin: Option<String>,
        #[arg(long, value_enum, default_value = "zh")]
        language: Lang,
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
    /// Set (or, without a town, clear) the town a kiosk stands in, where the
    /// big screen's map shows it.
    Town { id: KioskId, town: Option<String> },
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

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    Zh,
    En,
}

pub fn run(a: FleetArgs) -> anyhow::Result<ExitCode> {
    let data_path = a.data;
    match a.command {
        FleetCommand::ReleaseKey { out, rotate } => {
            let data = DataDir::new(&data_path)?;
            let public = hub::releases::key::make(&out, data.root(), rotate)?;
            outln!(
                "release key made: private half in {} (0600; back it up offline), public half {public}",
                out.display()
            );
            outln!(
                "kiosks set up from now on get it in kiosk.toml; put it in [update] release_key on the others"
            );
        }
        FleetCommand::Check { file } => {
            return match DeviceConfig::load(&file) {
                Ok(c) => {
                    outln!("{}: {}", file.display(), c.summary());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("{e}");
                    Ok(ExitCode::FAILURE)
                }
            };
        }
        FleetCommand::New { id, role, group, town, hub, ca, pin, language, data_dir, out } => {
            let url = protocol::BrokerUrl::parse(&hub).map_err(|e| anyhow::anyhow!("--hub: {e}"))?;
            let role = match role {
                Role::Showroom => firmware_config::Role::Showroom,
                Role::Station => firmware_config::Role::Station,
                Role::Bigscreen => firmware_config::Role::Bigscreen,
            };
            let language = match language {
                Lang::Zh => Language::Zh,
                Lang::En => Language::En,
            };
            let request = NewKiosk {
                id: id.clone(),
                role,
                group,
                town,
                hub: url,
                ca,
                pin,
                language,
                data_dir: data_dir.into(),
                out,
            };
            let data = DataDir::new(&data_path)?;
            let done = provision::new_kiosk(&data, &Writer::start(&data)?, &request)?;
            outln!("kiosk {id}: station number {:04}, files in {}", done.station_no, done.dir.display());
            if let Some(pin) = done.made_pin {
                outln!("staff PIN (shown once, write it down for the keeper): {pin}");
            }
        }
        FleetCommand::List => {
            let conn = store::open_read(&DataDir::new(&data_path)?)?;
            for k in registry::list(&conn)? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                outln!("{:<32} {:<20} {:04}  {state}", k.kid, k.group, k.station_no);
            }
        }
        FleetCommand::RotateSecret { id, out } => {
            let file = provision::rotate_secret(&Writer::start(&DataDir::new(&data_path)?)?, &id, &out)?;
            outln!("kiosk {id}: new secret in {}; copy it to the kiosk", file.display());
        }
        FleetCommand::Revoke { id } => {
            let writer = Writer::start(&DataDir::new(&data_path)?)?;
            let kid = id.clone();
            if !writer.exec_blocking(move |c| registry::revoke(c, &kid))? {
                anyhow::bail!("kiosk {id} is not registered or already revoked");
            }
            outln!("kiosk {id} revoked");
        }
        FleetCommand::Town { id, town } => {
            let writer = Writer::start(&DataDir::new(&data_path)?)?;
            let (kid, t) = (id.clone(), town.clone());
            if !writer.exec_blocking(move |c| registry::set_town(c, &kid, t.as_deref()))? {
                anyhow::bail!("kiosk {id} is not registered or revoked");
            }
            match town {
                Some(t) => outln!("kiosk {id} stands in {t}"),
                None => outln!("kiosk {id}: no town"),
            }
        }
        FleetCommand::Tls { hosts, county, days } => make_tls(&data_path, &hosts, &county, days)?,
        FleetCommand::Mosquitto { out } => mosquitto_files(&data_path, &out)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// `passwd`, `acl` and `dc.password` for Mosquitto (and the broker's
/// certificate, when `tls` has made one).
fn mosquitto_files(data_path: &Path, out: &Path) -> anyhow::Result<()> {
    let data = DataDir::new(data_path)?;
    let hub_key = registry::hub_key(&data)?;
    let conn = store::open_read(&data)?;
    let mut kiosks: Vec<(KioskId, Vec<u8>)> =
        registry::all(&conn)?.into_values().map(|e| (e.kid, e.secret)).collect();
    kiosks.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    std::fs::create_dir_all(out)?;
    write_file(
        &out.join("passwd"),
        &hub::fleet::mosquitto::password_file(&hub_key, &kiosks),
        // Group-readable: the broker reads it as its own user (chgrp mosquitto).
        0o640,
    )?;
    let ids: Vec<KioskId> = kiosks.iter().map(|(k, _)| k.clone()).collect();
    std::fs::write(out.join("acl"), hub::fleet::mosquitto::acl_file(&ids))?;
    // For the data centre's subscriber (user kh-dc), not for the broker.
    write_file(&out.join("dc.password"), &protocol::credentials::dc_password(&hub_key), 0o600)?;
    outln!(
        "{} kiosk(s): {} and {} written (password_file and acl_file in mosquitto.conf); \
         the data centre logs in as {} with the password in {}",
        ids.len(),
        out.join("passwd").display(),
        out.join("acl").display(),
        protocol::credentials::DC_USER,
        out.join("dc.password").display()
    );
    let tls = TlsFiles::in_data_dir(data_path);
    if tls.server_cert().exists() {
        let (cert, key) = (out.join("server.pem"), out.join("server.key"));
        std::fs::copy(tls.server_cert(), &cert)?;
        let key_pem = std::fs::read_to_string(tls.server_key()).context("the broker key")?;
        // The broker reads it as its own user (chgrp mosquitto).
        write_file(&key, &key_pem, 0o640)?;
        outln!(
            "TLS: add to mosquitto.conf\n  listener 8883\n  certfile {}\n  keyfile {}",
            cert.display(),
            key.display()
        );
    }
    Ok(())
}

/// The county CA (made once) and a broker certificate for `hosts`.
fn make_tls(data: &Path, hosts: &[String], county: &str, days: u32) -> anyhow::Result<()> {
    use hub::fleet::county_ca::{self, Issued};
    let files = TlsFiles::in_data_dir(data);
    std::fs::create_dir_all(&files.dir).with_context(|| format!("creating {}", files.dir.display()))?;
    let ca = if files.ca_cert().exists() {
        let read =
            |p: PathBuf| std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()));
        Issued { cert_pem: read(files.ca_cert())?, key_pem: read(files.ca_key())? }
    } else {
        let ca = county_ca::new_ca(county)?;
        // The key first: a certificate without its key would block a retry.
        write_file(&files.ca_key(), &ca.key_pem, 0o600)?;
        write_file(&files.ca_cert(), &ca.cert_pem, 0o644)?;
        outln!(
            "county CA made: {} (its key {} stays on this machine)",
            files.ca_cert().display(),
            files.ca_key().display()
        );
        ca
    };
    let server = county_ca::server_cert(&ca, hosts, days)?;
    write_file(&files.server_key(), &server.key_pem, 0o600)?;
    write_file(&files.server_cert(), &server.cert_pem, 0o644)?;
    // Loaded back as the broker will load them, or nothing is handed out.
    county_tls::server_config(&files.server_cert(), &files.server_key())
        .context("the written certificate")?;
    outln!(
        "broker certificate for {} (valid {days} days): {} and {}",
        hosts.join(", "),
        files.server_cert().display(),
        files.server_key().display()
    );
    let ca_der = county_tls::load_certs(&files.ca_cert())?;
    outln!("CA fingerprint (SHA-256): {}", county_ca::fingerprint(&ca_der[0]));
    outln!(
        "the hub's TLS listener presents a re-issued certificate from the next connection on; \
         Mosquitto needs `hub fleet mosquitto` again and a restart"
    );
    Ok(())
}
