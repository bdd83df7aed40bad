import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api.ts';
import { ErrorMessage, Loading } from './components/Status.tsx';
import { Forbidden, Layout } from './Layout.tsx';
import { pages, type PagePath } from './nav.ts';
import { NotFound } from './pages/NotFound.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SessionProvider, useSession, useSessionState } from './session.tsx';
import './styles.css';

// Each page loads when first opened, so signing in needs neither the charts nor the other pages.
const CareGapsPage = lazy(() =>
  import('./pages/CareGaps.tsx').then((m) => ({ default: m.CareGapsPage })),
);
const DisruptionsPage = lazy(() =>
  import('./pages/Disruptions.tsx').then((m) => ({ default: m.DisruptionsPage })),
);
const GrievancesPage = lazy(() =>
  import('./pages/Grievances.tsx').then((m) => ({ default: m.GrievancesPage })),
);
const GroupsPage = lazy(() =>
  import('./pages/Groups.tsx').then((m) => ({ default: m.GroupsPage })),
);
const OverviewPage = lazy(() =>
  import('./pages/Overview.tsx').then((m) => ({ default: m.OverviewPage })),
);
const ReferralsPage = lazy(() =>
  import('./pages/Referrals.tsx').then((m) => ({ default: m.ReferralsPage })),
);
const RematchPage = lazy(() =>
  import('./pages/Rematch.tsx').then((m) => ({ default: m.RematchPage })),
);
const TimelyAccessPage = lazy(() =>
  import('./pages/TimelyAccess.tsx').then((m) => ({ default: m.TimelyAccessPage })),
);

const client = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A refusal or a missing record will not change by asking again.
      retry: (count, error) =>
        !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

/** Opens a page only for a role whose permissions allow it. */
function Guard({ path, children }: { path: PagePath; children: ReactNode }) {
  const session = useSession();
  const page = pages.find((p) => p.path === path);
  return page && session.can(page.permission) ? <>{children}</> : <Forbidden />;
}

/** The first page a role may open: the overview, or (for a clinician) the groups. */
function Home() {
  const session = useSession();
  if (session.can('aggregates:read')) return <OverviewPage />;
  const first = pages.find((p) => session.can(p.permission));
  return first ? <Navigate to={first.path} replace /> : <Forbidden />;
}

function App() {
  const { state, signIn, clearExpired } = useSessionState();
  switch (state.kind) {
    case 'loading':
      return <Loading what="Continuity" />;
    case 'error':
      return <ErrorMessage error={state.error} />;
    case 'signed-out':
      return <SignIn onSignIn={signIn} />;
    case 'expired':
      return (
        <SignIn
          expired
          onSignIn={async (email, password) => {
            await signIn(email, password);
            clearExpired();
          }}
        />
      );
    case 'signed-in':
      return (
        <SessionProvider session={state.session}>
          <Suspense fallback={<Loading what="the page" />}>
            <Routes>
              <Route element={<Layout />}>
                <Route index element={<Home />} />
                <Route
                  path="disruptions/*"
                  element={
                    <Guard path="/disruptions">
                      <DisruptionsPage />
                    </Guard>
                  }
                />
                <Route
                  path="rematch/*"
                  element={
                    <Guard path="/rematch">
                      <RematchPage />
                    </Guard>
                  }
                />
                <Route
                  path="care-gaps"
                  element={
                    <Guard path="/care-gaps">
                      <CareGapsPage />
                    </Guard>
                  }
                />
                <Route
                  path="referrals/*"
                  element={
                    <Guard path="/referrals">
                      <ReferralsPage />
                    </Guard>
                  }
                />
                <Route
                  path="timely-access"
                  element={
                    <Guard path="/timely-access">
                      <TimelyAccessPage />
                    </Guard>
                  }
                />
                <Route
                  path="grievances/*"
                  element={
                    <Guard path="/grievances">
                      <GrievancesPage />
                    </Guard>
                  }
                />
                <Route
                  path="groups/*"
                  element={
                    <Guard path="/groups">
                      <GroupsPage />
                    </Guard>
                  }
                />
                <Route path="*" element={<NotFound />} />
              </Route>
            </Routes>
          </Suspense>
        </SessionProvider>
      );
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
