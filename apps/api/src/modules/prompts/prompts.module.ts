import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { SignaturesModule } from '../signatures/signatures.module';
import { PromptsController } from './prompts.controller';
import { PromptsService } from './prompts.service';

@Module({
  imports: [ProjectsModule, SignaturesModule],
  controllers: [PromptsController],
  providers: [PromptsService],
})
export class PromptsModule {}
