import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { SignaturesModule } from '../signatures/signatures.module';
import { TestCaseGenerationController } from './test-case-generation.controller';
import { TestCaseGenerationService } from './test-case-generation.service';
import { TestCasesController } from './test-cases.controller';
import { TestCaseExportService } from './test-case-export.service';
import { TestCaseImportService } from './test-case-import.service';
import { TestCasesService } from './test-cases.service';

@Module({
  imports: [ProjectsModule, SignaturesModule],
  controllers: [TestCasesController, TestCaseGenerationController],
  providers: [
    TestCasesService,
    TestCaseImportService,
    TestCaseExportService,
    TestCaseGenerationService,
  ],
})
export class TestCasesModule {}
