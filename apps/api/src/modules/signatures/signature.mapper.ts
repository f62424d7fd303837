import type { SignatureEntity } from '@ps/database';
import type { SignatureResponseDto } from './dto/signature-response.dto';

export function toSignatureResponse(signature: SignatureEntity): SignatureResponseDto {
  return {
    id: signature.id,
    uuid: signature.uuid,
    project_id: signature.projectId,
    name: signature.name,
    instruction: signature.instruction,
    input_schema: signature.inputSchema,
    output_schema: signature.outputSchema,
    constraints: signature.constraints,
    created_at: signature.createdAt.toISOString(),
    updated_at: signature.updatedAt.toISOString(),
  };
}
