import { NavLink, Outlet } from 'react-router';
import { pages } from './nav.ts';
import { useSession } from './session.tsx';

export function Layout() {
  const session = useSession();
  const visible = pages.filter((p) => session.can(p.permission));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Continuity</span>
        <nav aria-label="Pages">
          <ul>
            {visible.map((p) => (
              <li key={p.path}>
                <NavLink to={p.path} end={p.path === '/'}>
                  {p.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.user.name} · {session.user.role}
          </span>
          <button type="button" className="link" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** A page a role may not open: said plainly, never a blank page. */
export function Forbidden() {
  return (
    <section>
      <h1>Not for your role</h1>
      <p>Your role cannot open this page. The pages you can open are in the menu.</p>
    </section>
  );
}
