"""The documentation against the code it describes, without any server.

Lives apart from tests/integration, whose conftest starts PostgreSQL and
httpd for every file. It reads the module's C sources (the directives'
command table, the route table) and the Markdown files, and checks that:

1. every directive the module registers has its row (or heading) in the
   administrators' guide, and every TiersLieux* name the docs use exists;
2. every GET route is named in a guide or the README's architecture, and
   every POST route in a guide, outside the developers' table from a URL
   to its code (which names them all; test_names.py checks it);
3. every relative link of README.md and docs/*.md reaches an existing file
   and, when it names one, an existing heading;
4. the README stays a page for newcomers: 16,000 bytes at most.
"""
import pathlib
import re
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
ADMIN = DOCS / "admin.md"
ROUTE_TABLE = ROOT / "mod_tierslieux" / "pages" / "tl_pages.c"
README_MAX_BYTES = 16000


def read(path):
    return path.read_text(encoding="utf-8")


def guides():
    found = sorted(DOCS.glob("*.md"))
    assert found, "docs/ holds no guide"
    return found


def without_code_blocks(text):
    """The text with fenced code blocks blanked (their lines kept, empty)."""
    out, fenced = [], False
    for line in text.split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append("")
        else:
            out.append("" if fenced else line)
    return "\n".join(out)


def without_c_comments(text):
    """C source with its comments removed, its strings kept ("/lieux/*")."""
    return re.sub(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*',
                  lambda m: m.group(0) if m.group(0).startswith('"') else " ", text, flags=re.S)


def directives_in_code():
    names = []
    for source in sorted((ROOT / "mod_tierslieux").rglob("*.c")):
        text = without_c_comments(read(source))
        names += re.findall(r'\bAP_INIT_[A-Z0-9_]+\(\s*"([^"]+)"', text)
    return names


def routes_in_code():
    text = without_c_comments(read(ROUTE_TABLE))
    table = re.search(r"tl_routes\[\]\s*=\s*\{(.*?)\n\};", text, flags=re.S)
    assert table, "no route table (tl_routes[]) in tl_pages.c"
    return re.findall(r'\{\s*M_(GET|POST)\s*,\s*"([^"]*)"', table.group(1))


def without_section(text, heading):
    """text without its "## heading" section."""
    return re.sub(r"^## " + re.escape(heading) + r"\n.*?(?=^## |\Z)", "", text, flags=re.M | re.S)


def architecture_section(text):
    """README's "## Architecture" up to the next second-level heading."""
    m = re.search(r"^## Architecture\n(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    assert m, "README.md has no '## Architecture' section"
    return m.group(1)


def path_regex(route):
    """A route as named in prose: with or without the /tierslieux mount,
    each * as one segment however it is written (N, OT-0004, …), and not
    the beginning of a longer path (/guichet is not /guichet/pret, nor
    /guichet/retards /guichet/retards.csv)."""
    body = "".join(r"[^/\s`)\]|]+" if part == "*" else re.escape(part)
                   for part in re.split(r"(\*)", route))
    return re.compile(r"(?:(?<=/tierslieux)|(?<![\w/.-]))" + body + r"(?![\w/-]|\.\w)")


def slug(heading):
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.strip())
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path):
    seen, out = {}, set()
    for line in without_code_blocks(read(path)).split("\n"):
        m = re.match(r"#{1,6} (.+?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            out.add(base if n == 0 else f"{base}-{n}")
    return out


class DirectivesTest(unittest.TestCase):
    def test_every_directive_has_its_row_in_the_admin_guide(self):
        names = directives_in_code()
        self.assertGreater(len(names), 0, "no AP_INIT_* entry found in mod_tierslieux/")
        lines = without_code_blocks(read(ADMIN)).split("\n")
        missing = []
        for name in names:
            named = re.compile(r"`" + re.escape(name) + r"[ `]")
            if not any((line.startswith("|") and named.search(line.split("|")[1]))
                       or (line.startswith("#") and named.search(line)) for line in lines):
                missing.append(name)
        self.assertEqual(missing, [], "directives with no row or heading in docs/admin.md")
        print(f"\n{len(names)} directives, each with its row in docs/admin.md")

    def test_every_directive_the_docs_name_exists(self):
        known = set(directives_in_code())
        for path in [README, *guides()]:
            named = set(re.findall(r"\bTiersLieux[A-Za-z]+", read(path)))
            self.assertEqual(sorted(named - known), [], f"{path.relative_to(ROOT)} names unknown directives")


class RoutesTest(unittest.TestCase):
    def test_every_route_is_named_in_the_guides(self):
        routes = routes_in_code()
        self.assertGreater(len(routes), 0, "the route table is empty")
        # The developers' table names every route by construction: a route
        # must be explained somewhere a reader would look for it.
        guide_text = "\n".join(without_section(read(p), "From a URL to its code") for p in guides())
        get_text = guide_text + "\n" + architecture_section(read(README))
        missing = [f"{method} {path}" for method, path in routes
                   if not path_regex(path).search(get_text if method == "GET" else guide_text)]
        self.assertEqual(missing, [], "routes no guide names (GET: or the README's architecture)")
        gets = sum(1 for m, _ in routes if m == "GET")
        print(f"\n{len(routes)} routes ({gets} GET, {len(routes) - gets} POST), each named")

    def test_the_path_matcher_tells_paths_apart(self):
        # The check above is only as good as this: a shorter path must not
        # count as named inside a longer one.
        self.assertIsNone(path_regex("/guichet").search("`/guichet/pret`"))
        self.assertIsNone(path_regex("/guichet/retards").search("`/guichet/retards.csv`"))
        self.assertIsNotNone(path_regex("/guichet/retards").search("(`/guichet/retards`)."))
        self.assertIsNotNone(path_regex("/").search("`/tierslieux/`"))
        self.assertIsNotNone(path_regex("/reparation/*/reserver").search("`/reparation/N/reserver`"))
        self.assertIsNone(path_regex("/reparation/*/reserver").search("`/reparation/reserver`"))


class LinksTest(unittest.TestCase):
    def test_relative_links_reach_a_file_and_heading(self):
        checked, broken = 0, []
        for path in [README, *guides()]:
            text = without_code_blocks(read(path))
            for target in re.findall(r"\]\(([^)\s]+)\)", text):
                if re.match(r"[a-z][a-z0-9+.-]*:", target):
                    continue            # http:, https:, mailto:
                file_part, _, anchor = target.partition("#")
                dest = (path.parent / file_part).resolve() if file_part else path
                checked += 1
                if not dest.exists():
                    broken.append(f"{path.name}: {target} (no such file)")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    broken.append(f"{path.name}: {target} (no such heading)")
        self.assertGreater(checked, 0)
        self.assertEqual(broken, [])
        print(f"\n{checked} relative links, each reaching its file and heading")


class ReadmeTest(unittest.TestCase):
    def test_readme_is_a_page_for_newcomers(self):
        size = len(README.read_bytes())
        self.assertLessEqual(size, README_MAX_BYTES, "README.md grew: move the details to docs/")
        for path in guides():
            self.assertTrue(f"](docs/{path.name})" in read(README), f"README.md does not link to docs/{path.name}")


if __name__ == "__main__":
    unittest.main()
