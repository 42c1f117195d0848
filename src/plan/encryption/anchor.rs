//! Linkerd's trust anchor: how long it lives, when it must be rotated, and the dates
//! `clusterwright check` holds the output to.
//!
//! Part of stage 3 (plan). Input: nothing but the constants below. Output: an
//! [`AnchorRotation`] with calendar dates, the same on every run.
//!
//! Why it is built this way. Linkerd's identity controller reads its trust roots once at
//! start-up, and the proxies get them inlined at injection (linkerd2@edge-26.8.3
//! `controller/cmd/identity/main.go`, `charts/partials/templates/_proxy.tpl`): an anchor
//! replaced by a new key while they run breaks mTLS across the mesh. Upstream therefore
//! treats anchor rotation as a manual, restart-driven procedure with the old and the new
//! anchor in the trust bundle during the overlap, or no rotation at all ("let the trust
//! anchor live as long as the cluster"; linkerd/website
//! `2-edge/tasks/automatically-rotating-control-plane-tls-credentials.md`, "Rotating the
//! trust anchor"). So the anchor here is long-lived and cert-manager never changes its key
//! by itself (`rotationPolicy: Never`: "a private key will only be generated if one does not
//! already exist in the target spec.secretName", <https://cert-manager.io/docs/usage/certificate/#configuring-private-key-rotation>);
//! rotating it is the documented procedure in the decision record.
//!
//! How the dates are known without putting "now" into the output: cert-manager stamps the
//! anchor's `notBefore` at its first issue, which no generator can know. No anchor of this
//! configuration can be issued before [`EARLIEST_ISSUE`] (the day clusterwright started
//! generating it), so every anchor expires on or after `EARLIEST_ISSUE + lifetime`: the plan
//! fixes that lower bound and a rotation date one year before it. The dates are
//! conservative for clusters installed later (they rotate early, never late), and exact
//! per cluster with `kubectl get certificate -n linkerd linkerd-trust-anchor -o
//! jsonpath='{.status.notAfter}'`.

use serde::Serialize;

/// The anchor's validity: 87,600 hours (3,650 days, about ten years).
pub const ANCHOR_DURATION: &str = "87600h0m0s";

/// [`ANCHOR_DURATION`] in days.
pub const ANCHOR_DAYS: i64 = 3650;

/// cert-manager re-signs the anchor this long before it expires, with the same key
/// (`rotationPolicy: Never`): a safety net if the rotation below never happens, which
/// keeps every certificate chain valid. 30 days.
pub const ANCHOR_RENEW_BEFORE: &str = "720h0m0s";

/// How long before the earliest possible expiry the rotation is due: one year, so the
/// procedure (three rounds of restarts over a few days) has room.
pub const ROTATION_WINDOW_DAYS: i64 = 365;

/// The first day an anchor of this configuration can exist: the day clusterwright began
/// generating ten-year anchors that cert-manager does not rotate by itself (year, month,
/// day). A constant of the code, never the day of a run.
pub const EARLIEST_ISSUE: (i64, u32, u32) = (2026, 12, 2);

/// The Secret that holds the previous anchor's certificate (public part only) during a
/// rotation, in the trust namespace; trust-manager adds it to the bundle by label.
pub const PREVIOUS_ANCHOR_SECRET: &str = "linkerd-previous-anchor";

/// When the trust anchor must be rotated, and when it expires at the earliest.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AnchorRotation {
    /// The day on or after which `clusterwright check` warns that the rotation is due
    /// (`YYYY-MM-DD`).
    pub rotate_by: String,
    /// The earliest day the anchor can expire (`YYYY-MM-DD`): `notBefore` is never
    /// earlier than [`EARLIEST_ISSUE`].
    pub expires_not_before: String,
    /// The Secret the procedure creates for the previous anchor's certificate.
    pub previous_anchor_secret: &'static str,
}

impl AnchorRotation {
    /// The rotation of an anchor of this configuration.
    pub fn new() -> Self {
        let (y, m, d) = EARLIEST_ISSUE;
        let expires = days_from_civil(y, m, d) + ANCHOR_DAYS;
        Self {
            rotate_by: iso_date(expires - ROTATION_WINDOW_DAYS),
            expires_not_before: iso_date(expires),
            previous_anchor_secret: PREVIOUS_ANCHOR_SECRET,
        }
    }
}

impl Default for AnchorRotation {
    fn default() -> Self {
        Self::new()
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (H. Hinnant's
/// `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of the day `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
pub fn iso_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_the_rotation_precedes_the_earliest_expiry() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(iso_date(days_from_civil(2028, 2, 29)), "2028-02-29");
        let r = AnchorRotation::new();
        // 3,650 days after 2026-12-02 (three leap days in between).
        assert_eq!(r.expires_not_before, "2036-11-29");
        // One year before, 2036 being a leap year.
        assert_eq!(r.rotate_by, "2035-11-30");
        assert!(r.rotate_by < r.expires_not_before);
    }
}
