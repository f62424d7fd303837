import { projectCaseLimit } from './project.entity';

describe('projectCaseLimit', () => {
  it("lets the project's own limit lower the install's, never raise it", () => {
    expect(projectCaseLimit(1000, {})).toBe(1000);
    expect(projectCaseLimit(1000, { max_test_cases: 10 })).toBe(10);
    expect(projectCaseLimit(1000, { max_test_cases: 5000 })).toBe(1000);
    expect(projectCaseLimit(1000, { max_test_cases: 'ten' })).toBe(1000);
    expect(projectCaseLimit(1000, { max_test_cases: 0 })).toBe(1000);
  });
});
