import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { SignaturesModule } from '../signatures/signatures.module';
import { TestCasesController } from './test-cases.controller';
import { TestCasesService } from './test-cases.service';

@Module({
  imports: [ProjectsModule, SignaturesModule],
  controllers: [TestCasesController],
  providers: [TestCasesService],
})
export class TestCasesModule {}
