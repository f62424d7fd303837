import { Module } from '@nestjs/common';
import { ApiConfig } from '@ps/config';
import { EvaluationsRepository, PromptsRepository, SignaturesRepository } from '@ps/database';
import { OptimizationPlanner } from '@ps/jobs';
import { LlmClient } from '@ps/llm';
import { createStrategyRegistry } from '@ps/optimizers';
import { OptimizationsController } from './optimizations.controller';
import { OptimizationsService } from './optimizations.service';

@Module({
  controllers: [OptimizationsController],
  providers: [
    OptimizationsService,
    {
      provide: OptimizationPlanner,
      inject: [
        PromptsRepository,
        SignaturesRepository,
        EvaluationsRepository,
        LlmClient,
        ApiConfig,
      ],
      // New runs pass the deployment's strategy gates (MCTS: PROMPT_STUDIO_ENABLE_MCTS, or
      // APP_ENV / ENVIRONMENT=dev with the canary on).
      useFactory: (
        prompts: PromptsRepository,
        signatures: SignaturesRepository,
        evaluations: EvaluationsRepository,
        llm: LlmClient,
        config: ApiConfig,
      ) =>
        new OptimizationPlanner(
          prompts,
          signatures,
          evaluations,
          llm,
          createStrategyRegistry({
            env: {
              PROMPT_STUDIO_ENABLE_MCTS: String(config.env.PROMPT_STUDIO_ENABLE_MCTS),
              PROMPT_STUDIO_ENABLE_MCTS_CANARY: String(config.env.PROMPT_STUDIO_ENABLE_MCTS_CANARY),
              APP_ENV: config.env.APP_ENV ?? process.env.ENVIRONMENT,
            },
          }),
        ),
    },
  ],
})
export class OptimizationsModule {}
