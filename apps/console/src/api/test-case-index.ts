import { useClient } from './session-context';
import { listTestCases, type TestCaseResponseDto, unwrap } from './studio';
import { useLoad } from '../lib/use-load';

/** Most cases read to label results (10 pages of 100); beyond that results show the id. */
const MAX_PAGES = 10;

/** The project's test cases by id, to show a result's name, inputs and expected value. */
export function useTestCaseIndex(projectId: number) {
  const client = useClient();
  return useLoad(async () => {
    const index = new Map<number, TestCaseResponseDto>();
    for (let page = 1; page <= MAX_PAGES; page++) {
      const data = await unwrap(
        listTestCases({ client, query: { project_id: projectId, page, per_page: 100 } }),
      );
      for (const c of data.items) index.set(c.id, c);
      if (index.size >= data.total || data.items.length === 0) break;
    }
    return index;
  }, [client, projectId]);
}
