import { lazy, Suspense, type ComponentType } from 'react';
import { createBrowserRouter, Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from './session.js';
import { Loading } from './components/ui.js';
import { Shell } from './components/shell.js';
import { useT } from './i18n/i18n.js';

// Every page is its own chunk: the login page downloads only the shell.
const page = <M, K extends keyof M>(load: () => Promise<M>, name: K) =>
  lazy(async () => ({ default: (await load())[name] as ComponentType }));

const SetupPage = page(() => import('./pages/setup-page.js'), 'SetupPage');
const LoginPage = page(() => import('./pages/login-page.js'), 'LoginPage');
const TodayPage = page(() => import('./pages/today-page.js'), 'TodayPage');
const LeadsPage = page(() => import('./pages/leads-page.js'), 'LeadsPage');
const BoardPage = page(() => import('./pages/board-page.js'), 'BoardPage');
const LeadPage = page(() => import('./pages/lead-page.js'), 'LeadPage');
const ContactsPage = page(() => import('./pages/contacts-page.js'), 'ContactsPage');
const CompaniesPage = page(() => import('./pages/companies-page.js'), 'CompaniesPage');
const SettingsPage = page(() => import('./pages/settings-page.js'), 'SettingsPage');
const ContactPage = page(() => import('./pages/contact-page.js'), 'ContactPage');
const CompanyPage = page(() => import('./pages/company-page.js'), 'CompanyPage');
const FollowUpsPage = page(() => import('./pages/follow-ups-page.js'), 'FollowUpsPage');
const ComplaintsPage = page(() => import('./pages/complaints-page.js'), 'ComplaintsPage');
const ComplaintPage = page(() => import('./pages/complaints-page.js'), 'ComplaintPage');
const DashboardPage = page(() => import('./pages/dashboard-page.js'), 'DashboardPage');
const DashboardRecordsPage = page(() => import('./pages/dashboard-records-page.js'), 'DashboardRecordsPage');
const FunnelPage = page(() => import('./pages/funnel-page.js'), 'FunnelPage');
const FunnelScenariosPage = page(() => import('./pages/funnel-scenarios-page.js'), 'FunnelScenariosPage');
const FunnelReviewPage = page(() => import('./pages/funnel-review-page.js'), 'FunnelReviewPage');
const BatchEntryPage = page(() => import('./pages/batch-entry-page.js'), 'BatchEntryPage');
const DuplicatesPage = page(() => import('./pages/duplicates-page.js'), 'DuplicatesPage');
const ImportsPage = page(() => import('./pages/imports-page.js'), 'ImportsPage');
const PortfoliosPage = page(() => import('./pages/portfolios-page.js'), 'PortfoliosPage');
const SegmentsPage = page(() => import('./pages/segment-list-page.js'), 'SegmentsPage');

/** Pages behind the login: no session → login (or setup on a new installation). */
function RequireSession() {
  const { me, isLoading, setupNeeded } = useSession();
  const location = useLocation();
  if (isLoading) return <Loading />;
  if (setupNeeded) return <Navigate to="/setup" replace />;
  if (!me) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <Shell><Suspense fallback={<Loading />}><Outlet /></Suspense></Shell>;
}

function Public() {
  const { isLoading } = useSession();
  if (isLoading) return <Loading />;
  return <Suspense fallback={<Loading />}><Outlet /></Suspense>;
}

function NotFound() {
  const t = useT();
  return (
    <section className="page">
      <h1>{t('app.notFound')}</h1>
      <p><a href="/">{t('app.backHome')}</a></p>
    </section>
  );
}

export const router = createBrowserRouter([
  {
    element: <Public />,
    children: [
      { path: '/setup', element: <SetupPage /> },
      { path: '/login', element: <LoginPage /> },
    ],
  },
  {
    element: <RequireSession />,
    children: [
      { index: true, element: <TodayPage /> },
      { path: '/leads', element: <LeadsPage /> },
      { path: '/leads/board', element: <BoardPage /> },
      { path: '/leads/:id', element: <LeadPage /> },
      { path: '/contacts', element: <ContactsPage /> },
      { path: '/portfolios', element: <PortfoliosPage /> },
      { path: '/segments', element: <SegmentsPage /> },
      { path: '/contacts/:id', element: <ContactPage /> },
      { path: '/companies', element: <CompaniesPage /> },
      { path: '/companies/:id', element: <CompanyPage /> },
      { path: '/follow-ups', element: <FollowUpsPage /> },
      { path: '/complaints', element: <ComplaintsPage /> },
      { path: '/complaints/:id', element: <ComplaintPage /> },
      { path: '/dashboard', element: <DashboardPage /> },
      { path: '/dashboard/records', element: <DashboardRecordsPage /> },
      { path: '/funnel', element: <FunnelPage /> },
      { path: '/funnel/scenarios', element: <FunnelScenariosPage /> },
      { path: '/funnel/review', element: <FunnelReviewPage /> },
      { path: '/capture/batch', element: <BatchEntryPage /> },
      { path: '/duplicates', element: <DuplicatesPage /> },
      { path: '/imports', element: <ImportsPage /> },
      { path: '/settings', element: <SettingsPage /> },
      { path: '/settings/:section', element: <SettingsPage /> },
      { path: '*', element: <NotFound /> },
    ],
  },
]);
