//! Cell logic shared by claims and volumes: access modes, phases, links.

use headlamp_plugin_sdk::prelude::*;

/// kubectl's abbreviation of an access mode (`ReadWriteOnce` -> `RWO`); unknown modes as given.
pub fn access_mode_short(mode: &str) -> &str {
    match mode {
        "ReadWriteOnce" => "RWO",
        "ReadOnlyMany" => "ROX",
        "ReadWriteMany" => "RWX",
        "ReadWriteOncePod" => "RWOP",
        other => other,
    }
}

/// `RWO, RWX`: the abbreviations of `modes`, in the order given.
pub fn access_modes_text<'m>(modes: impl IntoIterator<Item = &'m str>) -> String {
    modes
        .into_iter()
        .map(access_mode_short)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The phase of a claim or a volume, coloured: Bound (and Available for a volume) is healthy,
/// Pending is on its way, Released waits for an admin, Failed and Lost are broken.
pub fn phase_cell(phase: Option<&str>) -> Cell {
    let phase = phase.unwrap_or("Unknown");
    let tone = match phase {
        "Bound" | "Available" => Tone::Success,
        "Pending" | "Released" => Tone::Warning,
        "Failed" | "Lost" => Tone::Error,
        _ => Tone::Neutral,
    };
    Cell::text(phase).tone(tone)
}

/// The route of a claim's details view.
pub fn claim_route(namespace: &str, name: &str) -> String {
    format!("/persistentvolumeclaims/{namespace}/{name}")
}

/// The route of a volume's details view.
pub fn volume_route(name: &str) -> String {
    format!("/persistentvolumes/{name}")
}

/// The route of a storage class's details view.
pub fn class_route(name: &str) -> String {
    format!("/storageclasses/{name}")
}

/// A cell showing `name` and linking to `route`; empty (and unlinked) when there is no name.
pub fn link_cell(name: Option<&str>, route: impl FnOnce(&str) -> String) -> Cell {
    match name.filter(|n| !n.is_empty()) {
        Some(name) => Cell::text(name).link(route(name)),
        None => Cell::empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_modes_are_abbreviated_as_kubectl_does() {
        assert_eq!(access_mode_short("ReadWriteOnce"), "RWO");
        assert_eq!(access_mode_short("ReadOnlyMany"), "ROX");
        assert_eq!(access_mode_short("ReadWriteMany"), "RWX");
        assert_eq!(access_mode_short("ReadWriteOncePod"), "RWOP");
        assert_eq!(access_mode_short("SomethingNew"), "SomethingNew");
        assert_eq!(
            access_modes_text(["ReadWriteOnce", "ReadOnlyMany"]),
            "RWO, ROX"
        );
        assert_eq!(access_modes_text([]), "");
    }

    #[test]
    fn phases_have_tones() {
        assert_eq!(phase_cell(Some("Bound")).tone, Some(Tone::Success));
        assert_eq!(phase_cell(Some("Pending")).tone, Some(Tone::Warning));
        assert_eq!(phase_cell(Some("Released")).tone, Some(Tone::Warning));
        assert_eq!(phase_cell(Some("Lost")).tone, Some(Tone::Error));
        let unknown = phase_cell(None);
        assert_eq!(
            (unknown.text.as_str(), unknown.tone),
            ("Unknown", Some(Tone::Neutral))
        );
    }

    #[test]
    fn link_cells_link_only_when_there_is_a_name() {
        let c = link_cell(Some("pv-1"), volume_route);
        assert_eq!(
            (c.text.as_str(), c.link.as_deref()),
            ("pv-1", Some("/persistentvolumes/pv-1"))
        );
        let none = link_cell(Some(""), volume_route);
        assert_eq!((none.text.as_str(), none.link), ("", None));
    }
}
