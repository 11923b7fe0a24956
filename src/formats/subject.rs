//! Subject names of the cluster's certificates, as the documented script spells them.

use rcgen::{DistinguishedName, DnType, DnValue};

use crate::error::{Error, Result};

/// The fields of a subject name. Defaults are the documented script's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Subject {
    /// C, a two-letter country code.
    pub country: String,
    /// ST.
    pub state: String,
    /// L.
    pub locality: String,
    /// O.
    pub organization: String,
    /// OU.
    pub unit: String,
    /// emailAddress, on the CA and RA certificates.
    pub email: String,
}

impl Default for Subject {
    fn default() -> Self {
        Subject {
            country: "SL".into(),
            state: "Western".into(),
            locality: "Colombo".into(),
            organization: "WSO2".into(),
            unit: "CDM".into(),
            email: "noreply@wso2.com".into(),
        }
    }
}

impl Subject {
    /// The name `C, ST, L, O, OU, CN[, emailAddress]` in that order, encoded as OpenSSL encodes it:
    /// C as PrintableString, emailAddress as IA5String, the rest as UTF8String.
    pub fn name(&self, common_name: &str, with_email: bool) -> Result<DistinguishedName> {
        let mut name = DistinguishedName::new();
        let country = self
            .country
            .as_str()
            .try_into()
            .ok()
            .filter(|_| self.country.len() == 2);
        let country = country.ok_or_else(|| {
            Error::invalid(
                "subject.country",
                format!("'{}' is not a two-letter country code", self.country),
            )
        })?;
        name.push(DnType::CountryName, DnValue::PrintableString(country));
        name.push(DnType::StateOrProvinceName, self.state.as_str());
        name.push(DnType::LocalityName, self.locality.as_str());
        name.push(DnType::OrganizationName, self.organization.as_str());
        name.push(DnType::OrganizationalUnitName, self.unit.as_str());
        name.push(DnType::CommonName, common_name);
        if with_email {
            let email = self.email.as_str().try_into().map_err(|_| {
                Error::invalid(
                    "subject.email",
                    format!("'{}' is not an ASCII e-mail address", self.email),
                )
            })?;
            let arcs = crate::formats::oid::EMAIL_ADDRESS.arcs().map(u64::from).collect();
            name.push(DnType::CustomDnType(arcs), DnValue::Ia5String(email));
        }
        Ok(name)
    }
}
