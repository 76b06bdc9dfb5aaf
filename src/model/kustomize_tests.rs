//! `set_image` against overlays as people write them and as kustomize writes them.

use super::*;

const APP: &str = "registry.example.com/shop/web";

#[test]
fn changes_only_the_entry_of_that_image_keeping_comments_and_indentation() {
    let text = "\
# overlay for prod
resources:
  - ../../base
images:
  - name: registry.example.com/shop/api
    newTag: v1.2.0 # api pinned by hand
  - name: registry.example.com/shop/web
    newTag: v3.0.0   # bumped by CI
  - name: redis
    newTag: \"7.2\"
namespace: prod
";
    let updated = set_image(text, APP, "v3.1.0").expect("set");
    let expected = text.replace(
        "newTag: v3.0.0   # bumped by CI",
        "newTag: v3.1.0   # bumped by CI",
    );
    assert_eq!(updated, expected);
    assert_eq!(image_tag(&updated, APP).as_deref(), Some("v3.1.0"));
    assert_eq!(
        image_tag(&updated, "registry.example.com/shop/api").as_deref(),
        Some("v1.2.0")
    );
    let redis = set_image(text, "redis", "7.4").expect("set redis");
    assert!(redis.contains("    newTag: \"7.4\"\n"), "{redis}");
    assert!(redis.contains("newTag: v3.0.0   # bumped by CI"), "{redis}");
}

#[test]
fn windows_line_endings_stay() {
    let text = "images:\r\n- name: web # app\r\n  newTag: v1\r\nnamespace: x\r\n";
    assert_eq!(
        set_image(text, "web", "v2").unwrap(),
        "images:\r\n- name: web # app\r\n  newTag: v2\r\nnamespace: x\r\n"
    );
}

#[test]
fn a_tag_yaml_would_read_as_a_number_or_boolean_is_quoted() {
    let text = "images:\n- name: web\n  newTag: v1\n";
    assert_eq!(
        set_image(text, "web", "1.10").expect("set"),
        "images:\n- name: web\n  newTag: \"1.10\"\n"
    );
    assert_eq!(
        image_tag(&set_image(text, "web", "1.10").unwrap(), "web").as_deref(),
        Some("1.10")
    );
    for tag in ["10", "1e3", "true", "yes", "on", "null", "0x1F", ".5"] {
        let updated = set_image(text, "web", tag).expect(tag);
        assert!(
            updated.contains(&format!("newTag: \"{tag}\"")),
            "{tag}: {updated}"
        );
    }
    assert!(
        set_image(text, "web", "v1.10")
            .unwrap()
            .contains("newTag: v1.10\n")
    );
    let single = "images:\n- name: web\n  newTag: 'v1'\n";
    assert_eq!(
        set_image(single, "web", "2.0").unwrap(),
        "images:\n- name: web\n  newTag: '2.0'\n"
    );
}

#[test]
fn adds_the_entry_or_the_images_key_when_missing() {
    let text = "images:\n- name: api\n  newTag: v1\n\n# the namespace\nnamespace: x\n";
    assert_eq!(
        set_image(text, "web", "v2").unwrap(),
        "images:\n- name: api\n  newTag: v1\n- name: web\n  newTag: v2\n\n# the namespace\nnamespace: x\n"
    );
    let indented = "images:\n  - name: api\n    newTag: v1\n";
    assert_eq!(
        set_image(indented, "web", "v2").unwrap(),
        "images:\n  - name: api\n    newTag: v1\n  - name: web\n    newTag: v2\n"
    );
    let none = "resources:\n- ../../base\n# no images yet\n";
    assert_eq!(
        set_image(none, "web", "v2").unwrap(),
        "resources:\n- ../../base\n# no images yet\nimages:\n- name: web\n  newTag: v2\n"
    );
    let empty = "images: []\nresources: []\n";
    assert!(set_image(empty, "web", "v2").is_err_and(|e| e.contains("layout")));
}

#[test]
fn an_entry_without_a_tag_gets_one_and_an_entry_under_another_registry_gets_new_name() {
    let text = "images:\n- name: web\n  newName: other/web\n";
    assert_eq!(
        set_image(text, "web", "v2").unwrap(),
        "images:\n- name: web\n  newName: other/web\n  newTag: v2\n"
    );
    assert_eq!(
        set_image(text, "other/web", "v2").unwrap(),
        "images:\n- name: web\n  newName: other/web\n  newTag: v2\n",
        "the renamed image a workload runs finds its entry"
    );
    let short = "images:\n- name: web # from the base\n  newTag: v1\n";
    assert_eq!(
        set_image(short, APP, "v2").unwrap(),
        "images:\n- name: web # from the base\n  newTag: v2\n  newName: registry.example.com/shop/web\n"
    );
}

#[test]
fn a_tag_replaces_a_digest_and_a_digest_replaces_a_tag() {
    let digest = format!("sha256:{}", "ab".repeat(32));
    let pinned =
        format!("images:\n- digest: {digest}\n  name: web\n  newName: r/web\nnamespace: x\n");
    assert_eq!(
        set_image(&pinned, "web", "v2").unwrap(),
        "images:\n- name: web\n  newName: r/web\n  newTag: v2\nnamespace: x\n"
    );
    let tagged = "images:\n- name: web\n  newTag: v1\n";
    assert_eq!(
        set_image(tagged, "web", &digest).unwrap(),
        format!("images:\n- name: web\n  digest: {digest}\n")
    );
    assert!(set_image(tagged, "web", "sha256:xyz").is_err());
}

#[test]
fn refuses_what_it_cannot_edit_faithfully() {
    assert!(
        set_image("images:\n- name: web\n", "web", "v 2").is_err_and(|e| e.contains("invalid tag"))
    );
    assert!(set_image("images:\n- name: web\n", "web", "").is_err());
    assert!(set_image("images: [{name: web, newTag: v1}]\n", "web", "v2").is_err());
    assert!(set_image("images:\n- {name: web, newTag: v1}\n", "web", "v2").is_err());
    assert!(set_image("images: {web: v1}\n", "web", "v2").is_err_and(|e| e.contains("not a list")));
    assert!(set_image(": : :\n  - [", "web", "v2").is_err_and(|e| e.contains("YAML")));
}
