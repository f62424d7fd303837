import { createContext, useContext } from 'react';
import { useClient, useLiveEvents } from '../api/session-context';
import { getProject, type ProjectResponseDto, unwrap } from '../api/studio';
import { DataState } from '../components/ui';
import { Link, match } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { NotFoundView } from './not-found-view';
import { ProjectOverviewView } from './project-overview-view';
import { PromptView } from './prompt-view';
import { SignaturesView } from './signatures-view';
import { TestCasesView } from './test-cases-view';
import { EvaluationsView } from './evaluations-view';
import { EvaluationView } from './evaluation-view';
import { CompareView } from './compare-view';
import { OptimizationsView } from './optimizations-view';
import { OptimizationView } from './optimization-view';
import { PlaygroundView } from './playground-view';

const ProjectContext = createContext<ProjectResponseDto | null>(null);

export function useProject(): ProjectResponseDto {
  const project = useContext(ProjectContext);
  if (!project) throw new Error('useProject outside a project page');
  return project;
}

const TABS: Array<{ label: string; path: string; matches: RegExp }> = [
  { label: 'Prompts', path: '', matches: /^(\/prompts.*)?$/ },
  { label: 'Signatures', path: '/signatures', matches: /^\/signatures/ },
  { label: 'Test cases', path: '/test-cases', matches: /^\/test-cases/ },
  { label: 'Evaluations', path: '/evaluations', matches: /^\/evaluations/ },
  { label: 'Compare', path: '/compare', matches: /^\/compare/ },
  { label: 'Optimizations', path: '/optimizations', matches: /^\/optimizations/ },
  { label: 'Playground', path: '/playground', matches: /^\/playground/ },
];

/** The view of a project path, below `/projects/:id`. */
function ProjectPage({ rest }: { rest: string }) {
  let m: Record<string, string> | null;
  if (rest === '' || rest === '/') return <ProjectOverviewView />;
  if ((m = match('/prompts/:promptId', rest))) return <PromptView promptId={Number(m.promptId)} />;
  if (rest === '/signatures') return <SignaturesView />;
  if (rest === '/test-cases') return <TestCasesView />;
  if (rest === '/evaluations') return <EvaluationsView />;
  if ((m = match('/evaluations/:evaluationId', rest)))
    return <EvaluationView evaluationId={Number(m.evaluationId)} />;
  if (rest === '/compare') return <CompareView />;
  if (rest === '/optimizations') return <OptimizationsView />;
  if ((m = match('/optimizations/:optimizationId', rest)))
    return <OptimizationView optimizationId={Number(m.optimizationId)} />;
  if (rest === '/playground') return <PlaygroundView />;
  return <NotFoundView />;
}

export function ProjectLayout({ projectId, path }: { projectId: number; path: string }) {
  const client = useClient();
  const project = useLoad(
    () => unwrap(getProject({ client, path: { id: projectId } })),
    [client, projectId],
  );
  // The project's room: every view below hears its evaluations, optimizations and jobs.
  useLiveEvents({ entity_type: 'project', entity_id: projectId }, () => undefined);
  const base = `/projects/${projectId}`;
  const rest = path.slice(base.length);
  return (
    <>
      <nav className="project-nav" aria-label="Project">
        <div className="project-nav-inner">
          <span className="project-name">
            <Link to="/">Projects</Link>
            <span aria-hidden="true"> / </span>
            {project.data ? project.data.name : `Project ${projectId}`}
          </span>
          <ul>
            {TABS.map((tab) => {
              const current = tab.matches.test(rest);
              return (
                <li key={tab.label}>
                  <Link to={base + tab.path} aria-current={current ? 'page' : undefined}>
                    {tab.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </div>
      </nav>
      <main id="main" tabIndex={-1}>
        <DataState {...project}>
          {(p) => (
            <ProjectContext.Provider value={p}>
              <ProjectPage key={rest} rest={rest} />
            </ProjectContext.Provider>
          )}
        </DataState>
      </main>
    </>
  );
}
