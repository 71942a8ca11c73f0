//! Where a command's settings come from: every flag of every command can also be given as an
//! environment variable `SOZIALATLAS_<FLAG>` (`--public-url` → `SOZIALATLAS_PUBLIC_URL`) and
//! as a key of a configuration file (`--config FILE` or `SOZIALATLAS_CONFIG`; never found by
//! itself). Precedence: flag > environment > `DATABASE_URL` (for `--db` only) > file > default.
//!
//! The file holds keys named like the flags without `--`: at the top for every command that
//! has the flag, in a table for one command (`[serve]`, `[offices.purge]`), which wins over the
//! top. An unknown key, a key of a command that has no such flag, or a value of the wrong type
//! is an error naming the file, line, column and key, what was expected and what was found.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, Command};
use toml::de::{DeTable, DeValue};

/// The prefix of the environment variables of flags.
pub const ENV_PREFIX: &str = "SOZIALATLAS_";

/// A configuration file that cannot be used (exit code 2).
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The environment variable of a flag: `public-url` → `SOZIALATLAS_PUBLIC_URL`.
pub fn env_name(long: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        long.to_ascii_uppercase().replace('-', "_")
    )
}

/// Gives every flag of `cmd` and its subcommands its environment variable.
pub fn with_env(cmd: Command) -> Command {
    let cmd = cmd.mut_args(|a| match a.get_long() {
        Some(long) if !a.is_positional() => {
            let name = env_name(long);
            // `--help` names the variable, never its value (a database URL holds a password).
            a.env(name).hide_env_values(true)
        }
        _ => a,
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names
        .into_iter()
        .fold(cmd, |cmd, n| cmd.mut_subcommand(n, with_env))
}

/// The configuration file named by `--config FILE` / `--config=FILE` in `args` (before a
/// `--`), else by `SOZIALATLAS_CONFIG`.
pub fn config_path(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--" {
            break;
        }
        if s == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(v) = s.strip_prefix("--config=") {
            return Some(PathBuf::from(v));
        }
    }
    std::env::var_os(env_name("config")).map(PathBuf::from)
}

/// A value from the file, as the flag's text (or texts, for a list).
type Setting = Vec<String>;

/// The line and column (1-based) of byte `at` in `text`.
fn position(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit_once('\n')
        .map_or(before, |(_, l)| l)
        .chars()
        .count()
        + 1;
    (line, column)
}

/// What a TOML value is, for a message.
fn kind(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {i}"),
        DeValue::Float(f) => format!("the number {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// A flag's value as text: strings, and numbers as written.
fn scalar(v: &DeValue<'_>) -> Option<String> {
    match v {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().to_string()),
        DeValue::Float(f) => Some(f.as_str().to_string()),
        _ => None,
    }
}

/// Whether the flag takes no value (`--force`).
fn is_switch(a: &Arg) -> bool {
    matches!(a.get_action(), ArgAction::SetTrue | ArgAction::SetFalse)
}

/// Whether the flag takes a list (`--indicators a,b`).
fn is_list(a: &Arg) -> bool {
    matches!(a.get_action(), ArgAction::Append) || a.get_value_delimiter().is_some()
}

/// Checks `values` with the flag's own parser: `None` if it accepts them, else its message.
fn refused_by_flag(a: &Arg, values: &[String]) -> Option<String> {
    let long = a.get_long()?;
    let mut probe = Arg::new("v")
        .long(long.to_string())
        .value_parser(a.get_value_parser().clone())
        .action(if is_list(a) {
            ArgAction::Append
        } else {
            ArgAction::Set
        });
    if let Some(names) = a.get_value_names() {
        probe = probe.value_names(names.to_vec());
    }
    let mut argv = Vec::new();
    for v in values {
        argv.push(format!("--{long}"));
        argv.push(v.clone());
    }
    let err = Command::new("sozialatlas")
        .no_binary_name(true)
        .arg(probe)
        .try_get_matches_from(argv)
        .err()?;
    let text = err.to_string();
    let first = text.lines().next().unwrap_or_default();
    Some(first.strip_prefix("error: ").unwrap_or(first).to_string())
}

/// The settings of one table of the file for `cmd` (by flag id), checked.
fn read_table(
    r: &mut Reader<'_>,
    table: &DeTable<'_>,
    section: &str,
    flags: &Flags,
) -> BTreeMap<String, Setting> {
    let (file, text) = (r.file, r.text);
    let errors = &mut r.errors;
    let mut out = BTreeMap::new();
    for (key, value) in table {
        let (line, column) = position(text, key.span().start);
        let (vline, vcolumn) = position(text, value.span().start);
        let name = key.get_ref().as_ref();
        let at = |line: usize, column: usize| {
            format!(
                "{}:{line}:{column}: {}`{name}`",
                file.display(),
                if section.is_empty() {
                    String::new()
                } else {
                    format!("[{section}] ")
                }
            )
        };
        let Some(args) = flags.get(name) else {
            let mut known: Vec<&str> = flags.keys().map(String::as_str).collect();
            known.sort_unstable();
            errors.push(format!(
                "{}: expected a flag of {} ({}), found an unknown key",
                at(line, column),
                if section.is_empty() {
                    "some command".to_string()
                } else {
                    format!("`sozialatlas {}`", section.replace('.', " "))
                },
                known.join(", ")
            ));
            continue;
        };
        let v = value.get_ref();
        let arg = &args[0].1;
        let values = if is_switch(arg) {
            match v {
                DeValue::Boolean(b) => vec![b.to_string()],
                other => {
                    errors.push(format!(
                        "{}: expected true or false, found {}",
                        at(vline, vcolumn),
                        kind(other)
                    ));
                    continue;
                }
            }
        } else if is_list(arg) {
            let items: Option<Vec<String>> = match v {
                DeValue::Array(items) => items.iter().map(|i| scalar(i.get_ref())).collect(),
                other => scalar(other).map(|s| vec![s]),
            };
            match items {
                Some(items) => items,
                None => {
                    errors.push(format!(
                        "{}: expected a list of strings, found {}",
                        at(vline, vcolumn),
                        kind(v)
                    ));
                    continue;
                }
            }
        } else {
            match scalar(v) {
                Some(s) => vec![s],
                None => {
                    errors.push(format!(
                        "{}: expected a string (the value of --{name}), found {}",
                        at(vline, vcolumn),
                        kind(v)
                    ));
                    continue;
                }
            }
        };
        // At the top, the value must suit the flag of every command that has it.
        let refused = args.iter().find_map(|(cmd, a)| {
            if is_switch(a) != is_switch(arg) {
                return Some((cmd, "a value of another type".to_string()));
            }
            Some((cmd, refused_by_flag(a, &values)?)).filter(|_| !is_switch(a))
        });
        if let Some((cmd, why)) = refused {
            errors.push(format!(
                "{}: expected a valid value of --{name}{}, found {} ({why})",
                at(vline, vcolumn),
                if section.is_empty() {
                    format!(" of `{}`", format!("sozialatlas {cmd}").trim_end())
                } else {
                    String::new()
                },
                kind(v)
            ));
            continue;
        }
        out.insert(name.to_string(), values);
    }
    out
}

/// Flags by long name: each command (its path, `offices purge`) that has it, with its flag.
type Flags = BTreeMap<String, Vec<(String, Arg)>>;

/// The flags of `cmd` (named `path`) by long name.
fn flags_of(cmd: &Command, path: &str) -> Flags {
    cmd.get_arguments()
        .filter(|a| !a.is_positional())
        .filter_map(|a| {
            Some((
                a.get_long()?.to_string(),
                vec![(path.to_string(), a.clone())],
            ))
        })
        .collect()
}

/// Every flag of `cmd`'s subcommands, at any depth (for the keys at the top of the file).
fn all_flags(cmd: &Command, path: &str, out: &mut Flags) {
    for s in cmd.get_subcommands() {
        let sub = format!("{path}{}", s.get_name());
        for (k, mut v) in flags_of(s, &sub) {
            out.entry(k).or_default().append(&mut v);
        }
        all_flags(s, &format!("{sub} "), out);
    }
}

/// The file's settings: the keys at the top, and each command's table by its path
/// (`offices.purge`).
struct Config {
    top: BTreeMap<String, Setting>,
    tables: BTreeMap<String, BTreeMap<String, Setting>>,
}

/// The file being read, and what is wrong with it so far.
struct Reader<'t> {
    file: &'t Path,
    text: &'t str,
    errors: Vec<String>,
}

impl Reader<'_> {
    /// A table `[path.key]`: a command (`[serve]`) or a group of commands (`[offices]`, with
    /// `[offices.purge]` inside).
    fn table<'a>(
        &mut self,
        cmd: &Command,
        path: &str,
        name: &toml::Spanned<toml::de::DeString<'a>>,
        table: &DeTable<'a>,
        config: &mut Config,
    ) {
        let key = name.get_ref().as_ref();
        let Some(sub) = cmd.find_subcommand(key) else {
            let (line, column) = position(self.text, name.span().start);
            let mut known: Vec<&str> = cmd.get_subcommands().map(Command::get_name).collect();
            known.sort_unstable();
            self.errors.push(format!(
                "{}:{line}:{column}: [{path}{key}]: expected a command ({}), found an unknown table",
                self.file.display(),
                known.join(", ")
            ));
            return;
        };
        let section = format!("{path}{key}");
        let mut own = DeTable::default();
        for (k, v) in table {
            match v.get_ref() {
                DeValue::Table(t) if sub.find_subcommand(k.get_ref().as_ref()).is_some() => {
                    self.table(sub, &format!("{section}."), k, t, config);
                }
                _ => {
                    own.insert(k.clone(), v.clone());
                }
            }
        }
        let settings = read_table(
            self,
            &own,
            &section,
            &flags_of(sub, &section.replace('.', " ")),
        );
        config.tables.insert(section, settings);
    }
}

/// Reads and checks the configuration file against the commands and flags of `cmd`.
fn read(file: &Path, cmd: &Command) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        ConfigError(format!(
            "{}: cannot read the configuration file: {e}",
            file.display()
        ))
    })?;
    let doc = DeTable::parse(&text).map_err(|e| {
        let (line, column) = position(&text, e.span().map_or(0, |s| s.start));
        ConfigError(format!(
            "{}:{line}:{column}: expected TOML, found an error: {}",
            file.display(),
            e.message().trim()
        ))
    })?;
    let mut all = flags_of(cmd, "");
    all_flags(cmd, "", &mut all);
    // `--config` names the file; it is not a key in it.
    all.remove("config");
    let (mut top, mut tables) = (DeTable::default(), Vec::new());
    for (k, v) in doc.get_ref() {
        match v.get_ref() {
            DeValue::Table(t) => tables.push((k, t)),
            _ => {
                top.insert(k.clone(), v.clone());
            }
        }
    }
    let mut r = Reader {
        file,
        text: &text,
        errors: Vec::new(),
    };
    let mut config = Config {
        top: read_table(&mut r, &top, "", &all),
        tables: BTreeMap::new(),
    };
    for (k, t) in tables {
        r.table(cmd, "", k, t, &mut config);
    }
    if r.errors.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError(r.errors.join("\n")))
    }
}

/// Sets a flag's default (the layer below the environment): the file's value, or
/// `DATABASE_URL` for `--db`.
fn set_default(a: Arg, values: &[String]) -> Arg {
    let values: Vec<clap::builder::OsStr> = values.iter().map(|v| v.clone().into()).collect();
    a.required(false).default_values(values)
}

/// Applies the file's settings (and `DATABASE_URL` for `--db`) as the defaults of the flags of
/// `cmd` and its subcommands; `path` is the command's table name (`""` at the top).
fn apply(cmd: Command, path: &str, config: Option<&Config>, database_url: Option<&str>) -> Command {
    let own = config.and_then(|c| c.tables.get(path));
    let cmd = cmd.mut_args(|a| {
        let Some(long) = a.get_long().filter(|_| !a.is_positional()) else {
            return a;
        };
        let long = long.to_string();
        if long == "db"
            && let Some(url) = database_url
        {
            return set_default(a, &[url.to_string()]).hide_default_value(true);
        }
        let setting = own
            .and_then(|t| t.get(&long))
            .or_else(|| config.and_then(|c| c.top.get(&long)));
        match setting {
            Some(values) => set_default(a, values),
            None => a,
        }
    });
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names.into_iter().fold(cmd, |cmd, n| {
        let sub_path = if path.is_empty() {
            n.clone()
        } else {
            format!("{path}.{n}")
        };
        cmd.mut_subcommand(&n, |s| apply(s, &sub_path, config, database_url))
    })
}

/// The command line `cmd` with its settings' other sources: the environment variables of the
/// flags, `DATABASE_URL` for `--db`, and the configuration file named in `args` or
/// `SOZIALATLAS_CONFIG`.
pub fn command(cmd: Command, args: &[OsString]) -> Result<Command, ConfigError> {
    let cmd = with_env(cmd);
    let config = match config_path(args) {
        Some(file) => Some(read(&file, &cmd)?),
        None => None,
    };
    let database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    Ok(apply(cmd, "", config.as_ref(), database_url.as_deref()))
}
