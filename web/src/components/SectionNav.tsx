import { memo, useEffect, useRef, useState, type MouseEvent } from 'react';

export interface NavSection {
  id: string;
  title: string;
  children?: { id: string; title: string }[];
}

interface Props {
  sections: NavSection[];
  /** a list down the side (wide screens) or a row that scrolls sideways (phones; no nested items) */
  vertical: boolean;
  /** how far below the window's top a section lands when its link is followed (the sticky head's height) */
  offset: number;
  /** the nav's name for screen readers */
  label: string;
}

/** What the user does to scroll by themselves (ends a followed link's mark). */
const USER_SCROLL = ['wheel', 'touchstart', 'keydown'] as const;

/** Every id of the sections, nested ones after their parent, in the page's order. */
function flatIds(sections: NavSection[], nested: boolean): string[] {
  return sections.flatMap((s) => [s.id, ...(nested ? (s.children ?? []).map((c) => c.id) : [])]);
}

/**
 * A page's table of contents: links to its sections, the one being read marked. Plain elements: Ant Design's
 * Anchor measured every section (a forced layout of the whole page) whenever it was drawn and at each scroll,
 * which on a phone cost more than a step of the 申请书 itself (issue 11, item 9). Here the browser reports which
 * sections are in view (IntersectionObserver), and nothing is measured until a link is followed.
 */
export const SectionNav = memo(function SectionNav({ sections, vertical, offset, label }: Props) {
  const ids = flatIds(sections, vertical);
  const key = ids.join(' ');
  const [active, setActive] = useState<string | null>(null);
  const nav = useRef<HTMLElement>(null);
  /**
   * A followed link stays marked while the window scrolls there and then while its section is on screen: a section
   * near the page's end cannot come under the head, and the one above it would otherwise be marked instead. The
   * user's own scrolling (wheel, touch, keys) ends it.
   */
  const followed = useRef<{ id: string; arrived: boolean } | null>(null);

  // the section being read: the first (in the page's order) of those crossing the band below the sticky head
  useEffect(() => {
    const order = key.split(' ');
    const inBand = new Set<string>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const e of entries) {
          if (e.isIntersecting) inBand.add(e.target.id);
          else inBand.delete(e.target.id);
        }
        const f = followed.current;
        if (f) {
          const box = document.getElementById(f.id)?.getBoundingClientRect();
          if (box && box.bottom > offset && box.top < window.innerHeight) {
            f.arrived = true;
            return;
          }
          if (!f.arrived) return; // still on its way there
          followed.current = null;
        }
        const first = order.find((id) => inBand.has(id));
        if (first) setActive(first);
      },
      { rootMargin: `-${offset}px 0px -55% 0px` },
    );
    for (const id of order) {
      const el = document.getElementById(id);
      if (el) observer.observe(el);
    }
    return () => observer.disconnect();
  }, [key, offset]);

  // a row that scrolls sideways keeps the marked link in sight (the row alone moves, not the page)
  useEffect(() => {
    if (vertical || !active || !nav.current) return;
    const row = nav.current;
    const link = row.querySelector<HTMLElement>(`a[href="#${CSS.escape(active)}"]`);
    if (!link) return;
    const left = link.offsetLeft - row.offsetLeft;
    if (left < row.scrollLeft || left + link.offsetWidth > row.scrollLeft + row.clientWidth) row.scrollTo({ left: Math.max(0, left - 16) });
  }, [active, vertical]);

  const follow = (e: MouseEvent<HTMLAnchorElement>, id: string) => {
    const target = document.getElementById(id);
    if (!target || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    const top = target.getBoundingClientRect().top + window.scrollY - offset;
    const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    const f = { id, arrived: false };
    followed.current = f;
    const takeOver = () => {
      if (followed.current === f) followed.current = null;
      for (const type of USER_SCROLL) window.removeEventListener(type, takeOver);
    };
    for (const type of USER_SCROLL) window.addEventListener(type, takeOver, { passive: true });
    window.scrollTo({ top, behavior: still ? 'auto' : 'smooth' });
    // the address names the section (replacing, not adding, a history entry), as a followed link would
    window.history.replaceState(window.history.state, '', `#${id}`);
    setActive(id);
    // where Tab goes next: into the section, as after a followed link (a section is not otherwise focusable)
    if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: true });
  };

  const link = (id: string, title: string, nested = false) => (
    <a
      href={`#${id}`}
      className={`section-nav-link${nested ? ' section-nav-nested' : ''}${active === id ? ' section-nav-active' : ''}`}
      aria-current={active === id ? 'location' : undefined}
      onClick={(e) => follow(e, id)}
    >
      {title}
    </a>
  );

  return (
    <nav ref={nav} className={`section-nav ${vertical ? 'section-nav-vertical' : 'section-nav-horizontal'}`} aria-label={label}>
      <ul>
        {sections.map((s) => (
          <li key={s.id}>
            {link(s.id, s.title)}
            {vertical && s.children?.length ? (
              <ul>
                {s.children.map((c) => (
                  <li key={c.id}>{link(c.id, c.title, true)}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </nav>
  );
});
