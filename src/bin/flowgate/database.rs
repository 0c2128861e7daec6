//! The argument that names the App's database, for the commands that read or fill it.

use std::path::PathBuf;

use flowgate::UserError;

#[derive(clap::Args)]
pub struct DatabaseArg {
    /// The App's database [default: as `flowgate serve` finds it: $FLOWGATE_DATABASE_URL, else
    /// database_url in the configuration file, else sqlite://flowgate.db].
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
    /// The configuration file `flowgate serve` uses [default: $FLOWGATE_CONFIG, else ./flowgate.toml if present].
    #[arg(long, value_name = "PATH")]
    config: Option<PathBuf>,
}

impl DatabaseArg {
    /// The App's database as `--database-url` or `--config` (or `flowgate serve`'s own search) names it.
    pub fn url(&self) -> Result<String, UserError> {
        match &self.database_url {
            Some(url) => Ok(url.clone()),
            None => flowgate::serve::config::database_url(self.config.as_deref(), std::env::vars().collect()),
        }
    }

    pub async fn connect(&self) -> anyhow::Result<flowgate::store::Store> {
        let url = self.url()?;
        Ok(flowgate::store::Store::connect(&url).await?)
    }
}
