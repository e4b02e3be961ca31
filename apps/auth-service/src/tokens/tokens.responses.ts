import { ApiProperty } from '@nestjs/swagger';

/** A login's tokens (`TokenPair`). */
export class TokenPairResponse {
  @ApiProperty({ example: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMDEifQ.eyJzdWIiOiIuLi4ifQ.c2ln' })
  accessToken!: string;

  @ApiProperty({
    example: '9Jk2vXg3Qm0pL7rT4wZs1eYb8nHc6uFa5dKq2iOx3lMv7tRz0yWb4gNe1jUh6sPc',
    description: 'Single use: refresh rotates it.',
  })
  refreshToken!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
  expiresIn!: number;
}
