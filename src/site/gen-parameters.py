#!/usr/bin/env python3
"""Writes src/site/markdown/parameters.md from the plugin descriptor that maven-plugin-plugin
generates from the Mojos' Javadoc, so the page never drifts from the code.

    mvn -q -o -DskipTests -Dinvoker.skip compile && python3 src/site/gen-parameters.py
"""
import html
import re
import xml.etree.ElementTree as ET
from pathlib import Path

root = Path(__file__).resolve().parents[2]
descriptor = root / "vm-packager-maven-plugin/target/classes/META-INF/maven/plugin.xml"
out = root / "src/site/markdown/parameters.md"


def first_sentence(text):
    # The descriptor holds Javadoc as HTML: drop the tags first, then unescape <chart>-style text.
    text = re.sub(r"</?(p|code|pre|a|b|i|em|strong|ul|ol|li|br|tt|var)\b[^>]*>", "", text or "")
    text = html.unescape(text).strip()
    text = re.sub(r"\s+", " ", text)
    m = re.match(r"(.+?(?<!e\.g)(?<!i\.e)\.)(\s+[A-Z(]|$)", text)
    sentence = m.group(1) if m else text
    return re.sub(r"([<>])", r"\\\1", sentence).replace("|", "\\|")


plugin = ET.parse(descriptor).getroot()
lines = ["# Parameters", "",
         "Generated from the plugin descriptor by `src/site/gen-parameters.py`; "
         "`mvn vm-packager:help -Ddetail` prints the same with full descriptions.", ""]
for mojo in plugin.iter("mojo"):
    goal = mojo.findtext("goal")
    if goal == "help":
        continue
    lines += [f"## vm-packager:{goal}", "", first_sentence(mojo.findtext("description")), "",
              f"Default phase: `{mojo.findtext('phase')}`.", "",
              "| parameter | user property | default | description |", "| --- | --- | --- | --- |"]
    config = {c.tag: c for c in mojo.find("configuration")}
    for p in sorted(mojo.find("parameters"), key=lambda p: p.findtext("name")):
        if p.findtext("editable") == "false":
            continue
        name = p.findtext("name")
        c = config.get(name)
        expr = (c.text or "") if c is not None else ""
        prop = expr[2:-1] if expr.startswith("${") else ""
        default = c.get("default-value") if c is not None else None
        alias = p.findtext("alias")
        shown = f"`{name}` (alias `{alias}`)" if alias else f"`{name}`"
        lines.append(f"| {shown} | {f'`{prop}`' if prop else ''} | {f'`{default}`' if default else ''} "
                     f"| {first_sentence(p.findtext('description'))} |")
    lines.append("")
out.write_text("\n".join(lines))
print("wrote", out)
