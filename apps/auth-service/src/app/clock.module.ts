import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '@keycard/common';

/** The one clock of the app; tests override `Clock` with a `ManualClock`. */
@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {}
