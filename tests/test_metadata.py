"""pipeline.render.metadata through the web page's head: canonical URL, Open Graph, Twitter card
and schema.org JSON-LD (Article, or MedicalWebPage when there are reviewers)."""

from __future__ import annotations

import json

import lxml.html
import pytest
import yaml

from helpers import LONG_SLUG, LONG_SOURCE, REPO, RICH_SLUG, SEED_SLUG
from pipeline.render.metadata import script_json

SEED_BASE = yaml.safe_load((REPO / "source" / "site.yml").read_text("utf-8"))["base_url"]
LONG_BASE = yaml.safe_load((LONG_SOURCE / "site.yml").read_text("utf-8"))["base_url"]


def head(build, slug):
    page = lxml.html.parse(str(build.out(slug) / "index.html")).getroot()
    [script] = page.xpath("//script[@type='application/ld+json']")
    return page, json.loads(script.text)


def prop(page, name):
    return page.xpath(f"/html/head/meta[@property='{name}']/@content")


def named(page, name):
    return page.xpath(f"/html/head/meta[@name='{name}']/@content")


@pytest.fixture(scope="module")
def seed(seed_build):
    return head(seed_build, SEED_SLUG)


@pytest.fixture(scope="module")
def long(long_web_build):
    return head(long_web_build, LONG_SLUG)


@pytest.fixture(scope="module")
def rich(feature_build):
    return head(feature_build, RICH_SLUG)


def test_title_description_and_canonical(seed):
    page, _ = seed
    canonical = f"{SEED_BASE}{SEED_SLUG}/"
    assert page.findtext(".//title") == "Can Stem Cell Therapy Cure Multiple Sclerosis?"
    assert named(page, "description")[0].startswith("Stem cell therapy is not a cure")
    assert page.xpath("//link[@rel='canonical']/@href") == [canonical]
    assert prop(page, "og:url") == [canonical]


def test_open_graph_without_cover_shows_the_publisher_logo(seed):
    page, data = seed
    assert prop(page, "og:type") == ["article"]
    assert prop(page, "og:title") == [page.findtext(".//title")]
    assert prop(page, "og:description") == named(page, "description")
    assert prop(page, "og:site_name") == ["Stemedix Inc."]
    assert prop(page, "og:locale") == ["en_US"]
    logo = f"{SEED_BASE}{SEED_SLUG}/images/stemedix-logo.svg"
    assert prop(page, "og:image") == [logo] == [data["image"]]
    assert prop(page, "og:image:alt") == ["Stemedix"]
    assert prop(page, "article:published_time") == ["2026-11-25"]
    assert named(page, "twitter:card") == ["summary"]
    assert named(page, "twitter:image") == [logo]


def test_open_graph_with_a_cover(rich, feature_build):
    page, data = rich
    base = f"{SEED_BASE}{RICH_SLUG}/"
    cover = base + "images/jane.png"
    assert prop(page, "og:image") == [cover] == [data["image"]]
    assert (feature_build.out(RICH_SLUG) / "images" / "jane.png").is_file()  # it is published
    assert prop(page, "og:image:type") == ["image/png"]
    assert (prop(page, "og:image:width"), prop(page, "og:image:height")) == (["40"], ["40"])
    assert prop(page, "og:image:alt") == ["Cover of Rich features"]
    assert prop(page, "og:title") == ["Rich features: Tables, notes and code"]
    assert prop(page, "article:tag") == ["testing", "markdown"]
    assert named(page, "twitter:card") == ["summary_large_image"]
    assert named(page, "twitter:image") == [cover]
    assert named(page, "twitter:title") == prop(page, "og:title")


def test_json_ld_article_for_a_document_without_reviewers(seed):
    _, data = seed
    url = f"{SEED_BASE}{SEED_SLUG}/"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Article"
    assert data["url"] == url and data["mainEntityOfPage"]["@id"] == url
    assert data["headline"] == "Can Stem Cell Therapy Cure Multiple Sclerosis?"
    assert data["inLanguage"] == "en-US"
    assert (data["datePublished"], data["dateModified"]) == ("2026-11-25", "2026-11-25")
    assert "reviewedBy" not in data and "lastReviewed" not in data
    [author] = data["author"]
    assert author == {"@type": "Person", "name": "Becky Palmer",
                      "jobTitle": "Medical professional",
                      "affiliation": {"@type": "Organization", "name": "Stemedix Inc."},
                      "description": "Becky Palmer is a medical professional at Stemedix Inc.",
                      "url": "https://www.stemedix.com/"}
    assert data["keywords"][0] == "multiple sclerosis"


def test_json_ld_publisher_has_an_absolute_logo(seed, long):
    for (_, data), base, slug in ((seed, SEED_BASE, SEED_SLUG), (long, LONG_BASE, LONG_SLUG)):
        publisher = data["publisher"]
        assert publisher["@type"] == "Organization"
        assert publisher["name"] == "Stemedix Inc."
        assert publisher["url"] == "https://www.stemedix.com/"
        assert publisher["logo"] == {"@type": "ImageObject",
                                     "url": f"{base}{slug}/images/stemedix-logo.svg"}


def test_json_ld_medical_web_page_when_reviewed(long):
    _, data = long
    url = f"{LONG_BASE}{LONG_SLUG}/"
    assert data["@type"] == "MedicalWebPage"
    assert data["@id"] == data["url"] == url
    assert data["headline"] == "Living with Multiple Sclerosis: A Patient Guide"
    assert data["alternativeHeadline"].startswith("What MS is")
    assert data["datePublished"] == "2026-01-15"
    assert data["dateModified"] == "2026-06-01"  # updated is later than reviewed
    assert data["lastReviewed"] == "2026-05-20"
    [author] = data["author"]
    assert author["name"] == "Jane Doe"
    assert author["jobTitle"] == "Neurologist"
    assert author["affiliation"] == {"@type": "Organization", "name": "Example Clinic Group"}
    assert author["honorificSuffix"] == "MD, PhD"
    assert author["hasCredential"] == [
        {"@type": "EducationalOccupationalCredential", "name": "MD"},
        {"@type": "EducationalOccupationalCredential", "name": "PhD"}]
    assert author["url"] == "https://www.example-clinic.org/people/jane-doe/"
    assert author["image"] == f"{url}images/jane-doe.png"
    [reviewer] = data["reviewedBy"]
    assert reviewer["@type"] == "Person" and reviewer["name"] == "Sam Lee"
    assert reviewer["jobTitle"] == "MS Nurse Specialist"
    assert reviewer["honorificSuffix"] == "RN"


def test_json_ld_names_the_pdf_and_the_epub(long):
    _, data = long
    url = f"{LONG_BASE}{LONG_SLUG}/"
    assert [(e["encodingFormat"], e["contentUrl"]) for e in data["encoding"]] == [
        ("application/pdf", f"{url}{LONG_SLUG}.pdf"),
        ("application/epub+zip", f"{url}{LONG_SLUG}.epub")]


def test_every_url_in_the_head_is_absolute(seed, long, rich):
    def urls(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("url", "@id", "image", "contentUrl", "@context"):
                    yield item
                else:
                    yield from urls(item)
        elif isinstance(value, list):
            for item in value:
                yield from urls(item)

    for page, data in (seed, long, rich):
        found = list(urls(data)) + prop(page, "og:url") + prop(page, "og:image")
        found += named(page, "twitter:image")
        assert found
        assert all(u.startswith("https://") for u in found), found


def test_script_json_cannot_end_its_element():
    text = str(script_json({"title": "a </script><!-- b", "n": "<\\/"}))
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"title": "a </script><!-- b", "n": "<\\/"}
