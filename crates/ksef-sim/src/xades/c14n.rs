//! XML canonicalisation 1.0 (inclusive and exclusive, both without comments) of an
//! element subtree of a parsed document, optionally leaving one element out (the
//! enveloped-signature transform).
//!
//! Enough for the documents `POST /auth/xades-signature` receives, and strict about
//! the rest: processing instructions, inherited `xml:` attributes under inclusive
//! c14n and unreadable qualified names are refused rather than guessed at.

use std::collections::BTreeMap;

use roxmltree::{Node, NodeId};

/// Which canonicalisation to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
    Inclusive,
    /// `http://www.w3.org/2001/10/xml-exc-c14n#` (no InclusiveNamespaces prefix list)
    Exclusive,
}

impl Method {
    /// The method for an algorithm URI; `None` for anything else (including the
    /// `#WithComments` variants and C14N 1.1).
    pub(crate) fn from_uri(uri: &str) -> Option<Method> {
        match uri {
            "http://www.w3.org/TR/2001/REC-xml-c14n-20010315" => Some(Method::Inclusive),
            "http://www.w3.org/2001/10/xml-exc-c14n#" => Some(Method::Exclusive),
            _ => None,
        }
    }
}

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Namespace declarations in effect in the output: prefix (`None` = default) -> URI.
type Rendered<'a> = BTreeMap<Option<&'a str>, &'a str>;

/// Canonical form of `apex` and its descendants, without `exclude` (and its subtree).
pub fn canonicalize(
    apex: Node<'_, '_>,
    exclude: Option<NodeId>,
    method: Method,
) -> Result<String, String> {
    if !apex.is_element() {
        return Err("canonicalisation needs an element".into());
    }
    if apex.document().descendants().any(|n| n.is_pi()) {
        return Err("processing instructions are not accepted".into());
    }
    if method == Method::Inclusive
        && apex
            .ancestors()
            .skip(1)
            .any(|a| a.attributes().any(|at| at.namespace() == Some(XML_NS)))
    {
        return Err("inherited xml: attributes are not supported".into());
    }
    let mut out = String::new();
    write_element(apex, exclude, method, &Rendered::new(), &mut out)?;
    Ok(out)
}

/// The qualified name of an element as written in the source.
fn element_qname<'i>(node: Node<'_, 'i>) -> Result<&'i str, String> {
    let text = node.document().input_text();
    let start = node.range().start + 1;
    let rest = text.get(start..).ok_or("element outside the input")?;
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .ok_or("unterminated start tag")?;
    let qname = &rest[..end];
    let expected_local = node.tag_name().name();
    let local = qname.rsplit_once(':').map_or(qname, |(_, l)| l);
    if local != expected_local {
        return Err(format!(
            "cannot read the name of element '{expected_local}'"
        ));
    }
    Ok(qname)
}

fn prefix_of(qname: &str) -> Option<&str> {
    qname.split_once(':').map(|(p, _)| p)
}

fn in_scope<'a>(node: Node<'a, '_>, prefix: Option<&str>) -> &'a str {
    node.namespaces()
        .find(|ns| ns.name() == prefix)
        .map_or("", |ns| ns.uri())
}

fn write_element<'a>(
    node: Node<'a, '_>,
    exclude: Option<NodeId>,
    method: Method,
    rendered: &Rendered<'a>,
    out: &mut String,
) -> Result<(), String> {
    let text = node.document().input_text();
    let qname = element_qname(node)?;

    // Namespace declarations this element renders.
    let mut declare: BTreeMap<Option<&'a str>, &'a str> = BTreeMap::new();
    match method {
        Method::Exclusive => {
            let mut used: Vec<Option<&str>> = vec![prefix_of(qname)];
            for attr in node.attributes() {
                let q = &text[attr.range_qname()];
                if let Some(p) = prefix_of(q)
                    && p != "xml"
                {
                    used.push(Some(p));
                }
            }
            for prefix in used {
                let (key, uri) = match node.namespaces().find(|ns| ns.name() == prefix) {
                    Some(ns) => (ns.name(), ns.uri()),
                    None if prefix.is_none() => (None, ""),
                    None => {
                        return Err(format!("prefix '{}' is not declared", prefix.unwrap_or("")));
                    }
                };
                consider(&mut declare, rendered, key, uri);
            }
        }
        Method::Inclusive => {
            for ns in node.namespaces() {
                consider(&mut declare, rendered, ns.name(), ns.uri());
            }
            if in_scope(node, None).is_empty() {
                consider(&mut declare, rendered, None, "");
            }
        }
    }

    out.push('<');
    out.push_str(qname);
    for (prefix, uri) in &declare {
        match prefix {
            None => out.push_str(" xmlns=\""),
            Some(p) => {
                out.push_str(" xmlns:");
                out.push_str(p);
                out.push_str("=\"");
            }
        }
        escape_attr(uri, out);
        out.push('"');
    }
    let mut attrs: Vec<_> = node.attributes().collect();
    attrs.sort_by(|a, b| {
        (a.namespace().unwrap_or(""), a.name()).cmp(&(b.namespace().unwrap_or(""), b.name()))
    });
    for attr in attrs {
        out.push(' ');
        out.push_str(&text[attr.range_qname()]);
        out.push_str("=\"");
        escape_attr(attr.value(), out);
        out.push('"');
    }
    out.push('>');

    let mut inner = rendered.clone();
    for (prefix, uri) in declare {
        inner.insert(prefix, uri);
    }
    for child in node.children() {
        if Some(child.id()) == exclude {
            continue;
        }
        if child.is_element() {
            write_element(child, exclude, method, &inner, out)?;
        } else if child.is_text() {
            escape_text(child.text().unwrap_or(""), out);
        } else if child.is_pi() {
            return Err("processing instructions are not accepted".into());
        }
        // Comments are dropped (canonicalisation without comments).
    }
    out.push_str("</");
    out.push_str(qname);
    out.push('>');
    Ok(())
}

/// Adds a declaration unless the output already has it in effect. An empty default
/// namespace is rendered (`xmlns=""`) only to undo a non-empty one in effect.
fn consider<'a>(
    declare: &mut BTreeMap<Option<&'a str>, &'a str>,
    rendered: &Rendered<'a>,
    prefix: Option<&'a str>,
    uri: &'a str,
) {
    let current = rendered.get(&prefix).copied();
    let needed = if prefix.is_none() && uri.is_empty() {
        current.is_some_and(|c| !c.is_empty())
    } else {
        current != Some(uri)
    };
    if needed {
        declare.insert(prefix, uri);
    }
}

fn escape_text(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

fn escape_attr(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(xml: &str, path: &[&str], method: Method) -> String {
        let doc = roxmltree::Document::parse(xml).expect("xml");
        let mut node = doc.root_element();
        for name in path {
            node = node
                .children()
                .find(|c| c.tag_name().name() == *name)
                .expect("path");
        }
        canonicalize(node, None, method).expect("c14n")
    }

    #[test]
    fn exclusive_renders_only_visibly_used_namespaces() {
        let xml = "<a:r xmlns:a='urn:a' xmlns:b='urn:b' xmlns='urn:d'><a:s z='1' b:y=\"2\" ><x/></a:s></a:r>";
        assert_eq!(
            c14n(xml, &["s"], Method::Exclusive),
            "<a:s xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" z=\"1\" b:y=\"2\"><x xmlns=\"urn:d\"></x></a:s>"
        );
    }

    #[test]
    fn inclusive_renders_every_namespace_in_scope_on_the_apex() {
        let xml = "<a:r xmlns:a='urn:a' xmlns:b='urn:b' xmlns='urn:d'><a:s><x/></a:s></a:r>";
        assert_eq!(
            c14n(xml, &["s"], Method::Inclusive),
            "<a:s xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\"><x></x></a:s>"
        );
    }

    #[test]
    fn text_and_attributes_are_escaped_and_comments_dropped() {
        let xml = "<r b='x&quot;&#9;' a='&lt;'>t&amp;&gt;&#13;<!-- c --><![CDATA[<]]></r>";
        assert_eq!(
            c14n(xml, &[], Method::Exclusive),
            "<r a=\"&lt;\" b=\"x&quot;&#x9;\">t&amp;&gt;&#xD;&lt;</r>"
        );
    }

    #[test]
    fn default_namespace_is_undone_when_a_child_leaves_it() {
        let xml = "<r xmlns='urn:d'><c xmlns=''><d/></c></r>";
        assert_eq!(
            c14n(xml, &[], Method::Exclusive),
            "<r xmlns=\"urn:d\"><c xmlns=\"\"><d></d></c></r>"
        );
    }

    #[test]
    fn processing_instructions_are_refused() {
        let doc = roxmltree::Document::parse("<r><?pi x?></r>").expect("xml");
        assert!(canonicalize(doc.root_element(), None, Method::Exclusive).is_err());
    }
}
