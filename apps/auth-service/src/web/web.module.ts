import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';

/**
 * The view kit's one route: the pages' stylesheet, scripts and icon under `/assets/`. The rest of
 * `web/` is plain functions and filters that page-rendering modules import directly.
 */
@Module({ controllers: [AssetsController] })
export class WebModule {}
