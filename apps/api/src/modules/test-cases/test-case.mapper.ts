import type { TestCaseEntity } from '@ps/database';
import type { TestCaseResponseDto } from './dto/test-case-response.dto';

export function toTestCaseResponse(testCase: TestCaseEntity): TestCaseResponseDto {
  return {
    id: testCase.id,
    uuid: testCase.uuid,
    project_id: testCase.projectId,
    signature_id: testCase.signatureId,
    name: testCase.name,
    description: testCase.description,
    inputs: testCase.inputs,
    expected_outputs: testCase.expectedOutputs,
    tags: testCase.tags,
    is_golden: testCase.isGolden,
    is_generated: testCase.isGenerated,
    created_at: testCase.createdAt.toISOString(),
    updated_at: testCase.updatedAt.toISOString(),
  };
}
