"""Accessibility checks for a Playwright page: axe-core's serious and critical violations, and
tap targets smaller than a thumb.

axe-core comes from the npm registry into `.tools/` (`scripts/setup.sh --test`)."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
MIN_TARGET = 44  # px, the height of a thumb's tap (WCAG 2.5.5, Apple and Android guidance)

_RUN_AXE = """async () => {
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map(n => ({
            target: n.target.join(' '),
            html: n.html.slice(0, 160),
            why: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 240),
        })),
    }));
}"""


def axe_violations(page: Page) -> list[dict]:
    """The page's axe-core violations of impact critical or serious."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [v for v in page.evaluate(_RUN_AXE) if v["impact"] in BLOCKING]


def describe(violations: list[dict], limit: int = 4) -> str:
    """Violations as lines a person can act on: rule, impact, what to do, the first nodes."""
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes)")
        for node in v["nodes"][:limit]:
            lines.append(f"      {node['target']}  {node['html']}")
            lines.append(f"        {node['why']}")
    return "\n".join(lines)


# What a thumb taps: the label of a checkbox or radio (the whole row is its target), the field
# box of a text input, otherwise the control itself. Links inside a sentence are exempt (WCAG's
# inline exception), and so are controls hidden from everyone (Radix's native mirrors).
_SMALL_TARGETS_JS = """(min) => {
    const controls = 'button, a[href], input:not([type=hidden]), select, textarea, summary,'
        + ' [role=button], [role=radio], [role=checkbox], [role=switch], [role=tab],'
        + ' [role=combobox], [role=link]';
    const shown = e => {
        const r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return r.width > 1 && r.height > 1 && s.visibility !== 'hidden'
            && !e.closest('[aria-hidden="true"]');
    };
    const checkable = e => ['checkbox', 'radio'].includes(e.type)
        || ['checkbox', 'switch'].includes(e.getAttribute('role'))
        || (e.getAttribute('role') === 'radio' && !e.closest('.rt-SegmentedControlRoot'));
    const inline = e => e.tagName === 'A' && getComputedStyle(e).display === 'inline'
        && e.parentElement.textContent.trim().length > e.textContent.trim().length;
    const small = new Map();
    for (const e of document.querySelectorAll(controls)) {
        if (!shown(e) || inline(e)) continue;
        const target = (checkable(e) && e.closest('label'))
            || e.closest('.rt-TextFieldRoot, .rt-TextAreaRoot') || e;
        const r = target.getBoundingClientRect();
        if (r.height >= min - 0.5) continue;
        const name = (e.getAttribute('aria-label') || e.textContent || e.getAttribute('placeholder')
            || e.getAttribute('name') || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
        const role = e.getAttribute('role') ? ` role=${e.getAttribute('role')}` : '';
        const key = `<${e.tagName.toLowerCase()}${role}> "${name}" ${Math.round(r.height)}px tall`;
        small.set(key, (small.get(key) || 0) + 1);
    }
    return [...small].map(([key, n]) => n > 1 ? `${key} (x${n})` : key);
}"""


def small_targets(page: Page) -> list[str]:
    """Visible tap targets under 44 px tall, described once each with how often they occur."""
    return page.evaluate(_SMALL_TARGETS_JS, MIN_TARGET)
