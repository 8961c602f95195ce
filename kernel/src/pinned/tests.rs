//! Resolving pinned sets without a network: local files, archives, fetched blobs.

use std::path::PathBuf;

use super::*;

const WASM: &[u8] = b"\0asm not really";

fn entry(name: &str, source: &str, digest: Option<&str>) -> PinnedPlugin {
    PinnedPlugin {
        name: name.into(),
        source: source.into(),
        digest: digest.map(|d| Sha256Digest::try_from(d.to_owned()).unwrap()),
    }
}

/// A package archive as `headlamp-plugin package` lays it out.
fn archive(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    for (file, data) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("x/{file}"), *data)
            .unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

fn set(entries: Vec<PinnedPlugin>) -> PinnedSet {
    PinnedSet {
        entries,
        on_error: OnError::Fail,
    }
}

#[test]
fn digests_are_checked_for_shape() {
    assert!(Sha256Digest::try_from("abc".to_owned()).is_err());
    assert!(Sha256Digest::try_from("sha256:abc".to_owned()).is_err());
    let d = Sha256Digest::try_from(format!("sha256:{}", "A".repeat(64))).unwrap();
    assert_eq!(d.to_string(), format!("sha256:{}", "a".repeat(64)));
}

#[test]
fn pinned_entries_need_a_digest_except_builtins() {
    let ok = set(vec![entry("cluster", "builtin", None)]);
    assert_eq!(ok.check(), Ok(()));
    let missing = set(vec![entry("x", "/plugins/x.wasm", None)]);
    assert!(matches!(
        missing.check(),
        Err(PinError::MissingDigest { .. })
    ));
    let twice = set(vec![
        entry("cluster", "builtin", None),
        entry("cluster", "builtin", None),
    ]);
    assert!(matches!(twice.check(), Err(PinError::Duplicate { .. })));
}

#[test]
fn a_local_file_is_verified_by_its_digest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.wasm");
    std::fs::write(&path, WASM).unwrap();
    let good = Sha256Digest::of(WASM).to_string();
    let source = path.to_str().unwrap();
    let resolved = set(vec![entry("x", source, Some(&good))]).resolve(&[], &Fetched::new());
    assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
    assert_eq!(resolved.sources[0].wasm, WASM);

    let wrong = format!("sha256:{}", "0".repeat(64));
    let resolved = set(vec![entry("x", source, Some(&wrong))]).resolve(&[], &Fetched::new());
    let text = resolved.errors[0].to_string();
    assert!(
        text.contains("\"x\"") && text.contains(&wrong) && text.contains(&good),
        "{text}"
    );
}

#[test]
fn a_package_archive_is_verified_by_the_archive_digest() {
    let dir = tempfile::tempdir().unwrap();
    let archive = archive(&[
        ("plugin.wasm", WASM),
        ("plugin.toml", b"name = \"x\"\n".as_slice()),
    ]);
    let path = dir.path().join("x-0.1.0.tar.gz");
    std::fs::write(&path, &archive).unwrap();
    let digest = Sha256Digest::of(&archive).to_string();
    let resolved =
        set(vec![entry("x", path.to_str().unwrap(), Some(&digest))]).resolve(&[], &Fetched::new());
    assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
    assert_eq!(resolved.sources[0].wasm, WASM);
    assert_eq!(
        resolved.sources[0].manifest.as_deref(),
        Some("name = \"x\"\n")
    );
    // The component's own digest is not the archive's: pinning it is a mismatch.
    let component = Sha256Digest::of(WASM).to_string();
    let resolved = set(vec![entry("x", path.to_str().unwrap(), Some(&component))])
        .resolve(&[], &Fetched::new());
    assert!(matches!(resolved.errors[0], PinError::Mismatch { .. }));
}

#[test]
fn builtins_are_found_by_name() {
    let builtins: &[(&str, &[u8], &str)] = &[("cluster", WASM, "ab")];
    let resolved = set(vec![
        entry("cluster", "builtin", None),
        entry("nope", "builtin", None),
    ])
    .resolve(builtins, &Fetched::new());
    assert_eq!(resolved.sources.len(), 1);
    assert!(resolved.errors[0].to_string().contains("it has: cluster"));
}

#[test]
fn a_fetched_component_is_verified_and_loaded_from_its_cache_file() {
    let digest = Sha256Digest::of(WASM).to_string();
    let blob = Blob {
        bytes: WASM.to_vec(),
        path: Some(PathBuf::from("/cache/sha256/x")),
    };
    let fetched = Fetched::from([("x".to_owned(), Ok(blob))]);
    let resolved =
        set(vec![entry("x", "oci://r.example/p:1", Some(&digest))]).resolve(&[], &fetched);
    assert!(resolved.errors.is_empty(), "{:?}", resolved.errors);
    assert_eq!(resolved.sources[0].wasm, WASM);
    assert_eq!(
        resolved.sources[0].origin,
        PluginOrigin::File(PathBuf::from("/cache/sha256/x"))
    );
}

#[test]
fn a_package_naming_another_plugin_is_refused() {
    let manifest = b"name = \"other\"\nversion = \"0.1.0\"\napi = \"0.1.0\"\n";
    let archive = archive(&[("plugin.wasm", WASM), ("plugin.toml", manifest)]);
    let digest = Sha256Digest::of(&archive).to_string();
    let blob = Blob {
        bytes: archive,
        path: None,
    };
    let fetched = Fetched::from([("x".to_owned(), Ok(blob))]);
    let resolved = set(vec![entry(
        "x",
        "https://example.com/x.tar.gz",
        Some(&digest),
    )])
    .resolve(&[], &fetched);
    let text = resolved.errors[0].to_string();
    assert!(
        matches!(resolved.errors[0], PinError::NameMismatch { .. })
            && text.contains("\"other\"")
            && text.contains("\"x\""),
        "{text}"
    );
}

#[test]
fn plain_http_is_refused_except_from_this_machine() {
    let digest = Sha256Digest::of(WASM).to_string();
    let remote = set(vec![entry(
        "x",
        "http://example.com/x.tar.gz",
        Some(&digest),
    )]);
    let text = remote.check().unwrap_err().to_string();
    assert!(text.contains("https://"), "{text}");
    for url in [
        "http://127.0.0.1:8080/x.tar.gz",
        "http://localhost/x.tar.gz",
    ] {
        assert_eq!(set(vec![entry("x", url, Some(&digest))]).check(), Ok(()));
    }
}

#[test]
fn an_oci_source_needs_a_tag_or_digest() {
    let digest = Sha256Digest::of(WASM).to_string();
    let untagged = set(vec![entry("x", "oci://r.example/p", Some(&digest))]);
    assert!(matches!(
        untagged.check(),
        Err(PinError::BadSource { error, .. }) if error.contains("no tag or digest")
    ));
}
