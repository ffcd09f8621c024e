"""Data Docs that work offline: every page points at copies shipped with fundledger.

Great Expectations writes its Data Docs with scripts, styles and fonts from CDNs (jQuery, Bootstrap,
bootstrap-table, Font Awesome, Vega …), its logo from S3 and a newsletter link. On an intranet
with no internet the index then lists nothing and the pages have no styles. :func:`make_offline`
copies the vendored files (``checks/vendor/``, their provenance and licences in its README) into the
site and rewrites every page and stylesheet to point at them, relative to the page; the newsletter
paragraph goes, and a link to an outside site keeps its words but not its address. An outside
address it does not know is an error: it is never left in place.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = ["SOURCES", "VENDOR", "make_offline", "outside_references"]

VENDOR = Path(__file__).resolve().parent / "vendor"
# each address GX 1.24's pages load, and the vendored file that replaces it (under checks/vendor/)
SOURCES = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": "popper.js-1.12.9/dist/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": "bootstrap-4.3.1/dist/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": "bootstrap-4.3.1/dist/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": "bootstrap-table-1.19.1/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # the pages ask for 1.19.0's stylesheet of the extension beside 1.19.1's scripts: 1.19.1's serves both
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/dist/css/bootstrap-datepicker.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/build/vega-embed.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": "fontawesome-free-6.6.0/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/dist/css/bootstrap-prefers-dark.css",
}
# GX's logos on S3 (with the run's time and the project's id in the query): its own copy in the site
_LOGO = re.compile(r"https://great-expectations-web-assets\.s3\.us-east-2\.amazonaws\.com/[A-Za-z_-]+\.png[^\"')\s]*")
_NEWSLETTER = re.compile(r"<p>\s*Stay current on everything GX with our newsletter.*?</p>", re.S)
# a link to an outside site (GX's credit in the footer): its words stay, the address goes
_OUTSIDE_LINK = re.compile(r"<a\s+href=[\"']https?://[^\"']*[\"'][^>]*>(.*?)</a>", re.S | re.I)
# what a page or stylesheet loads or links to: src=, href=, url(…), @import
_REFERENCE = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["'])\s*(https?://[^"')\s>]+)""", re.I)


def outside_references(text: str) -> list[str]:
    """Every outside address a page or stylesheet loads or links to."""
    return sorted(set(_REFERENCE.findall(text)))


def make_offline(site: Path) -> None:
    """Copy the vendored files into ``site/static/vendor/`` and point every page and stylesheet of
    the site at them; raise if a vendored copy is missing or an outside address is left that nothing
    here replaces."""
    missing = sorted(copy for copy in set(SOURCES.values()) if not (VENDOR / copy).is_file())
    if missing:
        raise RuntimeError(f"checks/vendor/ lacks {', '.join(missing)}: take it again as checks/vendor/README.md says")
    shutil.copytree(VENDOR, site / "static" / "vendor", dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    for path in sorted([*site.rglob("*.html"), *site.rglob("*.css")]):
        if (site / "static" / "vendor") in path.parents:
            continue
        root = "../" * (len(path.relative_to(site).parts) - 1)  # from the file back to the site's root
        text = path.read_text(encoding="utf-8")
        for address, copy in SOURCES.items():
            text = text.replace(address, f"{root}static/vendor/{copy}")
        text = _LOGO.sub(f"{root}static/images/logo-long.png", text)
        text = _OUTSIDE_LINK.sub(r"\1", _NEWSLETTER.sub("", text))
        left = outside_references(text)
        if left:
            raise RuntimeError(f"{path}: the Data Docs load {', '.join(left)} from outside; vendor it "
                               "(checks/vendor/README.md) and map it in checks/offline.py")
        path.write_text(text, encoding="utf-8")
