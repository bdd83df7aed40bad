import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api.ts';
import { ErrorMessage, Loading } from './components/Status.tsx';
import { Forbidden, Layout } from './Layout.tsx';
import { pages, type PagePath } from './nav.ts';
import { CareGapsPage } from './pages/CareGaps.tsx';
import { DisruptionsPage } from './pages/Disruptions.tsx';
import { GrievancesPage } from './pages/Grievances.tsx';
import { GroupsPage } from './pages/Groups.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { OverviewPage } from './pages/Overview.tsx';
import { ReferralsPage } from './pages/Referrals.tsx';
import { RematchPage } from './pages/Rematch.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { TimelyAccessPage } from './pages/TimelyAccess.tsx';
import { SessionProvider, useSession, useSessionState } from './session.tsx';
import './styles.css';

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
