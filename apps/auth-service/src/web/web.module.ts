import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';
import { FormTargets } from './form-targets';

/**
 * The view kit's one route: the pages' stylesheet, scripts and icon under `/assets/`, and
 * `FormTargets` for page-rendering modules. The rest of `web/` is plain functions and filters that
 * they import directly.
 */
@Module({ controllers: [AssetsController], providers: [FormTargets], exports: [FormTargets] })
export class WebModule {}
