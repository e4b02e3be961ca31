export { serviceGenerator } from './generators/service/generator';
export type { ServiceGeneratorSchema } from './generators/service/schema';
export { scopeConstraint } from './generators/service/eslint-constraint';
export { choosePort, findDefaultPorts, FIRST_SERVICE_PORT } from './generators/service/ports';
export { serviceName } from './generators/service/normalize';
