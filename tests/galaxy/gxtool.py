"""Galaxy tool XML loading as Galaxy does it (lib/galaxy/util/xml_macros.py): comments dropped,
<macros><import> files and embedded macros loaded, nested tokens expanded, every <expand> replaced
by its macro (named and unnamed <yield>s, macro parameters), <macros> removed, then @TOKENS@
substituted in every text, tail, attribute value and attribute name.

Also: the small datatype registry the harness and the linter share (Galaxy's extensions we use,
their parents, and the ludwig_model composite definition from lib/galaxy/datatypes/binary.py).
Run with /usr/bin/python3 (Debian's python3-lxml).
"""
import copy
import os
import re

from lxml import etree


class ToolError(Exception):
    pass


def _parse(path):
    parser = etree.XMLParser(remove_comments=True, strip_cdata=True)
    try:
        return etree.parse(path, parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise ToolError(f"{path}: not well-formed XML: {exc}") from exc


def _macro_kind(el):
    if el.tag == "macro":
        return el.get("type", "xml")
    return el.tag


def _collect_macros(macros_el, base_dir, seen):
    """Returns (xml_macros, tokens) from <macros>, imports first, in document order."""
    xml_macros, tokens = {}, {}
    if macros_el is None:
        return xml_macros, tokens
    for child in macros_el:
        if child.tag == "import":
            name = (child.text or "").strip()
            path = os.path.join(base_dir, name)
            if path in seen:
                raise ToolError(f"{path}: imported twice (import cycle?)")
            if not os.path.exists(path):
                raise ToolError(f"{path}: imported macro file not found")
            root = _parse(path)
            if root.tag != "macros":
                raise ToolError(f"{path}: root element is <{root.tag}>, expected <macros>")
            x, t = _collect_macros(root, os.path.dirname(path), seen | {path})
            xml_macros.update(x)
            tokens.update(t)
    for child in macros_el:
        kind = _macro_kind(child)
        if kind == "import":
            continue
        name = child.get("name")
        if not name:
            raise ToolError(f"<{child.tag}> without a name in <macros>")
        if kind == "xml":
            xml_macros[name] = child
        elif kind == "token":
            tokens[name] = child.text or ""
        elif kind == "template":
            raise ToolError(f"template macro '{name}': not supported by this harness")
    return xml_macros, tokens


def _expand_tokens_in_text(text, tokens):
    if not text or "@" not in text:
        return text
    for _ in range(20):
        new = text
        for name, value in tokens.items():
            new = new.replace(name, value)
        if new == text:
            return new
        text = new
    raise ToolError(f"token expansion does not terminate in: {text[:80]}")


def _expand_tokens_in_tree(el, tokens):
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        node.text = _expand_tokens_in_text(node.text, tokens)
        node.tail = _expand_tokens_in_text(node.tail, tokens)
        for k in list(node.attrib):
            v = _expand_tokens_in_text(node.attrib[k], tokens)
            nk = _expand_tokens_in_text(k, tokens)
            if nk != k:
                del node.attrib[k]
            node.attrib[nk] = v


def _replace(el, new_children):
    parent = el.getparent()
    idx = parent.index(el)
    tail = el.tail
    parent.remove(el)
    for i, c in enumerate(new_children):
        parent.insert(idx + i, c)
    if tail and tail.strip():
        raise ToolError("text after <expand>/<yield> is not supported")


def _macro_params(macro, expand_el):
    params = {}
    quote = macro.get("token_quote", "@")
    for name in [t.strip() for t in macro.get("tokens", "").split(",") if t.strip()]:
        if name not in expand_el.attrib:
            raise ToolError(f"<expand macro='{macro.get('name')}'> lacks its token '{name}'")
        params[f"{quote}{name.upper()}{quote}"] = expand_el.get(name)
    for k, v in macro.attrib.items():
        if k.startswith("token_") and k != "token_quote":
            name = k[len("token_"):]
            params[f"{quote}{name.upper()}{quote}"] = expand_el.get(name, v)
    return params


def _expand_all(root, xml_macros, depth=0):
    if depth > 50:
        raise ToolError("macro expansion nests more than 50 levels (a cycle?)")
    while True:
        ex = root.find(".//expand")
        if ex is None:
            return
        name = ex.get("macro")
        if name not in xml_macros:
            raise ToolError(f"<expand macro='{name}'>: no such xml macro")
        macro = xml_macros[name]
        holder = etree.Element("holder")
        for c in macro:
            holder.append(copy.deepcopy(c))
        for tok in ex.findall("token"):
            for y in holder.findall(f".//yield[@name='{tok.get('name')}']"):
                _replace(y, [copy.deepcopy(c) for c in tok])
        rest = [c for c in ex if c.tag != "token"]
        for y in holder.findall(".//yield"):
            if y.get("name") is None:
                _replace(y, [copy.deepcopy(c) for c in rest])
        params = _macro_params(macro, ex)
        if params:
            _expand_tokens_in_tree(holder, params)
        _expand_all(holder, xml_macros, depth + 1)
        _replace(ex, list(holder))


def load_tool(path):
    """The macro-expanded <tool> element of the tool file at path."""
    root = _parse(path)
    if root.tag != "tool":
        raise ToolError(f"{path}: root element is <{root.tag}>, expected <tool>")
    base = os.path.dirname(os.path.abspath(path))
    macros_el = root.find("macros")
    xml_macros, tokens = _collect_macros(macros_el, base, {os.path.abspath(path)})
    # nested tokens first, then the tree
    tokens = {k: _expand_tokens_in_text(v, tokens) for k, v in tokens.items()}
    _expand_all(root, xml_macros)
    if macros_el is not None:
        root.remove(macros_el)
    _expand_tokens_in_tree(root, tokens)
    left = re.findall(r"@[A-Z][A-Z0-9_]*@", etree.tostring(root, encoding="unicode"))
    if left:
        raise ToolError(f"{path}: undefined token(s) {sorted(set(left))}")
    return root


def write_expanded(root, out_path):
    etree.ElementTree(root).write(out_path, encoding="utf-8", xml_declaration=True)


# --- datatypes -------------------------------------------------------------------------------
# extension -> parent extension (Galaxy's class hierarchy, simplified to what our tools use)
DATATYPE_PARENT = {
    "data": None,
    "txt": "data",
    "tabular": "txt",
    "tsv": "tabular",
    "csv": "tabular",
    "json": "txt",
    "yaml": "txt",
    "html": "txt",
    "ludwig_model": "html",
    "h5": "data",
    "zip": "data",
    "png": "data",
}

# Galaxy's LudwigModel (lib/galaxy/datatypes/binary.py): composite_type auto_primary_file, the
# parts in add_composite_file order with their descriptions and whether they are optional.
COMPOSITES = {
    "ludwig_model": {
        "title": "Ludwig Model Composite Dataset.",
        "files": [
            ("model_hyperparameters.json", "Model hyperparameters", False),
            ("model_weights", "Model weights", False),
            ("training_set_metadata.json", "Training set metadata", False),
            ("training_progress.json", "Training progress", True),
        ],
    },
}


def is_subtype(ext, of):
    while ext is not None:
        if ext == of:
            return True
        ext = DATATYPE_PARENT.get(ext)
    return False


def generate_primary_file(ext):
    """The primary file Galaxy writes for an auto_primary_file composite (generate_primary_file)."""
    spec = COMPOSITES[ext]
    lines = [f"<html><head><title>{spec['title']}</title></head><p/>",
             "<div>This model dataset is composed of the following items:<p/><ul>"]
    for name, desc, optional in spec["files"]:
        opt = " (optional)" if optional else ""
        lines.append(f'<li><a href="{name}" type="text/plain">{name} ({desc})</a>{opt}</li>')
    lines.append("</ul></div></html>")
    return "\n".join(lines)


def param_name(p):
    name = p.get("name")
    if name:
        return name
    arg = p.get("argument", "")
    return arg.lstrip("-").replace("-", "_")
